// Bundles luigi-ts's compiled modules (dist/, written by tsc) into dist/bundle/: what the commands in
// bin/ and the package's exports load. One file per entry point and shared chunks (esbuild's code
// splitting), so that a `luigi` process reads about 33 files instead of about 200 modules: its start-up
// CPU falls by about 0.05 s (bench/worker-startup.js; docs/architecture.md), paid once per process.
//
// Every entry is written flat into dist/bundle/, as are the chunks, because code moved into a chunk
// resolves `new URL("./x.js", import.meta.url)` from the chunk: the files opened that way
// (child-entry.js, compactor-thread.js, esm-hooks.js) are entries beside every chunk, and the paths two
// folders up (package.json, dist/web) are the same from dist/bundle/ as from dist/<folder>/.
// Dependencies stay external (loaded from node_modules, as before). dist/bundle/meta.json is esbuild's
// metafile: which source modules each output holds (test/loader/startup-loads.test.ts reads it).
// Usage: node scripts/bundle.js (run by `npm run build` after tsc).
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(ROOT, "dist");
const OUT = path.join(DIST, "bundle");

/** Output name (in dist/bundle/) -> compiled module (in dist/). */
const ENTRIES = {
  index: "index.js",
  postgres: "contrib/postgres/index.js",
  mysql: "contrib/mysql/index.js",
  redis: "contrib/redis/index.js",
  s3: "contrib/s3/index.js",
  luigi: "cli/luigi.js",
  luigid: "cli/luigid.js",
  "luigi-deps": "cli/luigi-deps.js",
  "luigi-deps-tree": "cli/luigi-deps-tree.js",
  "v8-tuning": "loader/v8-tuning.js",
  "esm-hooks": "loader/esm-hooks.js",
  "child-entry": "worker/child-entry.js",
  "compactor-thread": "scheduler/persistence/compactor-thread.js",
};

// Chunk names change with their content: last build's would stay beside this one's.
rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: Object.entries(ENTRIES).map(([out, file]) => ({ in: path.join(DIST, file), out })),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunk-[hash]",
  // Bundling renames a top-level name that two modules share (class Foo -> Foo2); a class's `name` is
  // a step's family and an error's name, so it must stay as written.
  keepNames: true,
  legalComments: "none",
  metafile: true,
  absWorkingDir: ROOT,
  logLevel: "warning",
});
writeFileSync(path.join(OUT, "meta.json"), JSON.stringify(result.metafile));
