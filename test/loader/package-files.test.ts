import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const run = promisify(execFile);

/** The files `npm pack` would put in the package (no build: dist/ is built before the tests). */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return new Set((pack?.files ?? []).map((f) => f.path));
}

describe("the published package", () => {
  it("holds the bundle and everything it opens by path, the types and the visualiser; not tsc's modules", async () => {
    const files = await packedFiles();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, { types?: string; default?: string }>;
      bin: Record<string, string>;
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const installed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    // What the exports and the commands name.
    for (const [name, entry] of Object.entries(pkg.exports)) {
      if (typeof entry !== "object") continue;
      for (const file of [entry.types, entry.default]) {
        if (file !== undefined) expect(files, `${name}: ${file}`).toContain(path.normalize(file));
      }
    }
    for (const file of Object.values(pkg.bin)) expect(files).toContain(path.normalize(file));
    // What the bundle imports, and opens relative to its own files (new URL("./x.js", import.meta.url)).
    const bundle = [...files].filter((f) => f.startsWith("dist/bundle/") && f.endsWith(".js"));
    for (const file of bundle) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      const relative = [
        ...text.matchAll(/(?:from |import\()"(\.\/[^"]+)"/g),
        ...text.matchAll(/new URL\("(\.\/[^"]+\.js)", import\.meta\.url\)/g),
      ];
      for (const [, spec] of relative)
        expect(files, `${file} -> ${spec}`).toContain(path.join("dist/bundle", spec ?? ""));
      // The packages it imports or requires are installed with it (not only for development).
      const packages = [
        ...text.matchAll(/(?:^(?:import|export)\b[^"\n]*|\bimport\(|\brequire\d*\()"([^"./][^"]*)"/gm),
      ]
        .map(([, spec]) => spec ?? "")
        .filter((spec) => /^(?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]+)?$/.test(spec))
        .filter((spec) => !spec.startsWith("node:") && !/^(fs|os|path)$/.test(spec))
        .map((spec) =>
          spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/"),
        );
      for (const name of packages) expect(installed, `${file} imports ${name}`).toContain(name);
    }
    expect(files).toContain("dist/bundle/esm-hooks.js");
    expect(files).toContain("dist/bundle/THIRD-PARTY-LICENSES.txt");
    expect(files).toContain("dist/web/index.html");
    expect(files).toContain("dist/worker/worker.d.ts");
    // tsc's per-module JavaScript is for the tests and benchmarks only.
    expect([...files].filter((f) => /^dist\/(?!bundle\/|web\/).*\.js$/.test(f))).toEqual([]);
    expect(files).not.toContain("dist/bundle/meta.json");
  });
});
