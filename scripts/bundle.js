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
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * What tsx imports from "esbuild" (a build error names any other export it starts to use): the version
 * (part of tsx's cache key) read from esbuild's package.json, and the compilers, which load esbuild on
 * their first call. esbuild is luigi-ts's dependency, so it is resolved from here.
 */
const LAZY_ESBUILD = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
let esbuild;
const loaded = () => (esbuild ??= require("esbuild"));
export const version = require("esbuild/package.json").version;
export const transform = (...args) => loaded().transform(...args);
export const transformSync = (...args) => loaded().transformSync(...args);
`;

// The module-hooks thread's entry (src/loader/esm-hooks.ts): with tsx's code and its dependencies in
// the one file, so that the thread starts without resolving and compiling a dozen modules, two of them
// CommonJS that Node first scans for their exports. esbuild (the compiler tsx calls) stays a package:
// its JavaScript finds its native binary from its own location, and a run whose .ts files are all in
// tsx's cache never needs it, so it is required on tsx's first call (LAZY_ESBUILD).
const hooks = await build({
  entryPoints: [{ in: path.join(DIST, "loader/esm-hooks.js"), out: "esm-hooks" }],
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  legalComments: "none",
  metafile: true,
  absWorkingDir: ROOT,
  logLevel: "warning",
  plugins: [
    {
      name: "lazy-esbuild",
      setup(b) {
        b.onResolve({ filter: /^esbuild$/ }, () => ({ path: "esbuild", namespace: "lazy-esbuild" }));
        b.onLoad({ filter: /.*/, namespace: "lazy-esbuild" }, () => ({
          contents: LAZY_ESBUILD,
          loader: "js",
          resolveDir: ROOT,
        }));
      },
    },
  ],
});
writeFileSync(
  path.join(OUT, "meta.json"),
  JSON.stringify({
    inputs: { ...result.metafile.inputs, ...hooks.metafile.inputs },
    outputs: { ...result.metafile.outputs, ...hooks.metafile.outputs },
  }),
);
writeLicenses(hooks.metafile);

/** dist/bundle/THIRD-PARTY-LICENSES.txt: the licences of the packages bundled into esm-hooks.js. */
function writeLicenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  const texts = [...packages].sort().map((name) => {
    const dir = path.join(ROOT, "node_modules", name);
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    if (file === undefined) throw new Error(`${name} has no licence file to ship with the bundle`);
    const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const text = readFileSync(path.join(dir, file), "utf8").trim();
    return `${name} ${version} (bundled into esm-hooks.js)\n\n${text}\n`;
  });
  writeFileSync(path.join(OUT, "THIRD-PARTY-LICENSES.txt"), texts.join(`\n${"-".repeat(72)}\n\n`));
}
