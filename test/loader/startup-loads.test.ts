import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT, runLuigi, workdir } from "../helpers/cli.js";

const PIPELINE = `import { MemoryTarget, Step } from "luigi-ts";

export class One extends Step {
  output() {
    return new MemoryTarget("one");
  }
  async run() {
    await this.output().write("x");
  }
}
`;

/**
 * A project with a one-step .mjs pipeline and luigi-ts installed, and a preload (`--import`) whose
 * module hook prints every ES module Node loads: `LOADED <url>` on stderr.
 */
function project(): { dir: string; env: Record<string, string> } {
  const { dir } = workdir();
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "startup", type: "module" }));
  writeFileSync(path.join(dir, "one.mjs"), PIPELINE);
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules", "luigi-ts"), "dir");
  writeFileSync(
    path.join(dir, "trace-hooks.mjs"),
    `import { writeSync } from "node:fs";
export async function load(url, context, next) {
  writeSync(2, "LOADED " + url + "\\n");
  return next(url, context);
}
`,
  );
  writeFileSync(
    path.join(dir, "trace.mjs"),
    `import { register } from "node:module";\nregister("./trace-hooks.mjs", import.meta.url);\n`,
  );
  const preload = pathToFileURL(path.join(dir, "trace.mjs")).href;
  return { dir, env: { NODE_OPTIONS: `--import ${preload}` } };
}

describe("what the luigi command loads to run a .mjs pipeline", () => {
  it("loads no TypeScript loader, no server, history store or database code, and no CommonJS through import", async () => {
    const { dir, env } = project();
    const result = await runLuigi(["--module", "one.mjs", "One", "--local-scheduler", "--no-lock"], {
      cwd: dir,
      env,
    });
    expect(result.stderr).not.toContain("unhandled");
    expect(result.code).toBe(0);
    const loaded = [...result.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] ?? "");
    // The trace sees the run: luigi-ts's entry and the pipeline.
    expect(loaded).toContain(pathToFileURL(path.join(ROOT, "dist/index.js")).href);
    expect(loaded.some((url) => url.endsWith("/one.mjs"))).toBe(true);
    const unwanted = [
      "/dist/loader/hooks.js",
      "/dist/loader/esm-hooks.js",
      "/node_modules/tsx/",
      "/node_modules/esbuild/",
      "/dist/server/",
      "/dist/history/service.js",
      "/dist/scheduler/persistence/",
      "/node_modules/fastify/",
      "/node_modules/kysely/",
      "/node_modules/better-sqlite3/",
      // Read only for a TOML configuration.
      "/node_modules/smol-toml/",
      // CommonJS is required, not imported (an import scans the file's source for its exports first).
      "/node_modules/pino/",
      "/node_modules/sorted-btree/",
    ];
    expect(loaded.filter((url) => unwanted.some((part) => url.includes(part)))).toEqual([]);
  });
});
