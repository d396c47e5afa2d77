/**
 * A project of its own with luigi-ts installed (this checkout's bin/ and dist/), whose node_modules links
 * every package of this checkout but the ones left out: how a user without an optional peer (pg, the AWS
 * SDK, ...) sees luigi-ts. The caller removes it (rmSync(project, { recursive: true })).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./cli.js";

export function projectWithout(left: readonly string[]): string {
  const project = mkdtempSync(path.join(tmpdir(), "luigi-ts-without-"));
  const here = path.join(project, "node_modules", "luigi-ts");
  mkdirSync(here, { recursive: true });
  for (const part of ["dist", "bin", "package.json"]) {
    cpSync(path.join(ROOT, part), path.join(here, part), { recursive: true });
  }
  const modules = path.join(ROOT, "node_modules");
  for (const name of readdirSync(modules)) {
    if (name.startsWith(".")) continue;
    const scoped = name.startsWith("@")
      ? readdirSync(path.join(modules, name)).map((n) => `${name}/${n}`)
      : [name];
    for (const full of scoped) {
      if (left.includes(full)) continue;
      mkdirSync(path.dirname(path.join(project, "node_modules", full)), { recursive: true });
      symlinkSync(path.join(modules, full), path.join(project, "node_modules", full));
    }
  }
  return project;
}
