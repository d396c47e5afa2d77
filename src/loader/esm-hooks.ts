/**
 * Module hooks of luigi-ts, registered after tsx's (so they wrap its resolve) in Node's module-hooks
 * thread. Two jobs, both in `resolve`:
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
import type { ResolveHook } from "node:module";
import { FROM_DIRECTORY, type DirectoryRequest } from "./hook-protocol.js";

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
  const resolved = await nextResolve(specifier, context);
  if (resolved.format === "commonjs" && isUserTypeScript(resolved.url)) {
    return { ...resolved, format: "module" };
  }
  return resolved;
};
