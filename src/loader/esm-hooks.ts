/**
 * The module hooks of a `luigi` process that loads TypeScript, run in Node's module-hooks thread: tsx's
 * (`tsx/esm`: its resolver and its compiler, through esbuild), with luigi-ts's resolve around tsx's.
 * In the package this module is bundled with tsx's code (scripts/bundle.js), and esbuild's JavaScript is
 * only loaded when tsx compiles a file that is not in its cache: the thread then starts on one file
 * instead of a dozen modules, two of them CommonJS that Node scans for their exports first (about
 * 0.055 CPU-s less per `luigi` process on a one-step .ts pipeline; docs/architecture.md, "Start-up").
 *
 * luigi-ts's resolve has two jobs:
 *
 * - A user's `.ts`/`.tsx` file is always an ES module. Node (and tsx) would make a `.ts` file in a
 *   package without `"type": "module"` (what `npm init -y` writes), or with no package.json at all,
 *   CommonJS: compiled to `require()` calls, its `require("luigi-ts")` then meets luigi-ts already being
 *   loaded as an ES module and fails (ERR_REQUIRE_CYCLE_MODULE, or ERR_REQUIRE_ESM before Node 20.19).
 *   Pipelines are written with `import`/`export`, so "module" is what they mean. Files under
 *   node_modules and `.cts` files keep their format.
 * - `--module some-package` is resolved from the user's directory, not from luigi-ts's own files: the
 *   loader asks for `FROM_DIRECTORY + JSON {specifier, parentURL}` and the hook resolves the specifier
 *   as if imported by a file in that directory (so a luigi installed elsewhere finds the project's
 *   packages, and an error names the project's directory).
 */
import type { InitializeHook, LoadHook, ResolveHook } from "node:module";
import * as tsx from "tsx/esm";
import { FROM_DIRECTORY, type DirectoryRequest } from "./hook-protocol.js";

/** tsx's: it takes the port that hooks.ts passes in `data`. */
export const initialize: InitializeHook = tsx.initialize;
/** tsx's: compiles TypeScript (from tsx's cache when it has the file). */
export const load: LoadHook = tsx.load;

const USER_TYPESCRIPT = /\.tsx?$/;

function isUserTypeScript(url: string): boolean {
  if (!url.startsWith("file:")) return false;
  const { pathname } = new URL(url);
  return USER_TYPESCRIPT.test(pathname) && !pathname.includes("/node_modules/");
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (specifier.startsWith(FROM_DIRECTORY)) {
    const request = JSON.parse(specifier.slice(FROM_DIRECTORY.length)) as DirectoryRequest;
    return resolve(request.specifier, { ...context, parentURL: request.parentURL }, nextResolve);
  }
  const resolved = await tsx.resolve(specifier, context, nextResolve);
  if (resolved.format === "commonjs" && isUserTypeScript(resolved.url)) {
    return { ...resolved, format: "module" };
  }
  return resolved;
};
