import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** esbuild's record of dist/bundle/: output file (relative to ROOT) -> the compiled modules it holds. */
interface BundleMeta {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const meta = JSON.parse(readFileSync(path.join(ROOT, "dist/bundle/meta.json"), "utf8")) as BundleMeta;

/** The modules a loaded URL stands for: a bundle file's inputs ("/dist/x/y.js"), else the URL itself. */
function bundledModules(url: string): string[] {
  const file = url.startsWith("file:") ? path.relative(ROOT, fileURLToPath(url)) : url;
  const output = meta.outputs[file];
  return output ? Object.keys(output.inputs).map((input) => `/${input}`) : [url];
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
    const urls = [...result.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] ?? "");
    // The trace sees the run: luigi-ts's entry (the bundle's) and the pipeline.
    expect(urls).toContain(pathToFileURL(path.join(ROOT, "dist/bundle/index.js")).href);
    expect(urls.some((url) => url.endsWith("/one.mjs"))).toBe(true);
    // luigi-ts's own modules are in dist/bundle/'s files: what each holds is in esbuild's metafile.
    const loaded = urls.flatMap(bundledModules);
    expect(loaded).toContain("/dist/cli/luigi.js");
    expect(loaded).toContain("/dist/worker/worker.js");
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
