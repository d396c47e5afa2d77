import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ErrorCode, UsageError } from "../errors.js";
import { registerClass } from "../step/registry.js";
import { Step } from "../step/step.js";
import { FROM_DIRECTORY, type DirectoryRequest } from "./hook-protocol.js";
import { locateModule, shownPath } from "./locate.js";

/** Files that need the module hooks; plain JavaScript needs none (they start a thread: about 0.1 s). */
const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

function failure(specifier: string, message: string, details: Record<string, unknown> = {}): UsageError {
  return new UsageError(
    `--module ${specifier}: ${message}`,
    { module: specifier, ...details },
    ErrorCode.MODULE_LOAD,
  );
}

/** The file URL of `specifier` as a package installed for `cwd` (resolved through esm-hooks.ts). */
function resolvePackage(specifier: string, name: string, triedFiles: string[], cwd: string): string {
  const request: DirectoryRequest = {
    specifier: name,
    parentURL: pathToFileURL(path.join(cwd, "[luigi --module]")).href,
  };
  try {
    return import.meta.resolve(FROM_DIRECTORY + JSON.stringify(request));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/^Cannot find package /.test(message)) {
      throw failure(
        specifier,
        `not found: tried the files ${triedFiles.join(", ")} (in ${cwd}) and the package "${name}" (not installed there)`,
        { tried: [...triedFiles, name] },
      );
    }
    throw failure(specifier, `could not resolve the package: ${message}`);
  }
}

/** The nearest package.json at or above `dir`, if any. */
function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const file = path.join(at, "package.json");
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
    if (path.dirname(at) === at) return undefined;
  }
}

function declaresModule(packageJson: string): boolean {
  try {
    return (JSON.parse(readFileSync(packageJson, "utf8")) as { type?: unknown }).type === "module";
  } catch {
    return false;
  }
}

/**
 * What to do about a module that failed to load, when it is a known case: a `.js` file written with
 * `import`/`export` in a CommonJS package, or a CommonJS module requiring luigi-ts.
 */
function hint(err: unknown, moduleFile: string | undefined, cwd: string): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ERR_REQUIRE_CYCLE_MODULE" || code === "ERR_REQUIRE_ESM") {
    return " A CommonJS module (require) cannot load luigi-ts here: write the pipeline with import/export, in a .ts, .mts or .mjs file.";
  }
  const message = err instanceof Error ? err.message : "";
  if (!(err instanceof SyntaxError) || !/import statement outside a module|token 'export'/.test(message))
    return "";
  // The file that failed is named at the head of the stack ("/path/x.js:1"), else it is the module.
  const head = /^(?:file:\/\/)?(\/[^\n:]+\.c?js):\d+/.exec(err.stack ?? "");
  const file = head?.[1] ?? moduleFile;
  if (file === undefined || !file.endsWith(".js")) return "";
  const shown = shownPath(file, cwd);
  const packageJson = nearestPackageJson(path.dirname(file));
  if (packageJson === undefined) {
    return ` ${shown} uses import/export but no package.json makes it an ES module: rename it to .mjs, or add a package.json with "type": "module".`;
  }
  if (declaresModule(packageJson)) return "";
  const pkg = shownPath(packageJson, cwd);
  return ` ${shown} uses import/export, but ${pkg} has no "type": "module", so its .js files are CommonJS: rename it to .mjs, or set "type": "module" in ${pkg} (npm pkg set type=module).`;
}

/**
 * Imports the user's pipeline module and registers every step class it exports; returns them. The
 * module is a file (`.ts`, `.mts`, `.js`, `.mjs`, ...; `pipeline` finds `./pipeline.ts` and its
 * siblings, see `locateModule`) or a package installed for `cwd`. TypeScript is always loaded as an ES
 * module (see esm-hooks.ts). Errors are UsageErrors naming the module, without luigi-ts's own paths.
 */
/** The TypeScript loader (hooks.ts), loaded only for a module that needs it. */
async function enableModuleHooks(): Promise<void> {
  const hooks = await import("./hooks.js");
  await hooks.enableModuleHooks();
}

export async function loadStepModule(specifier: string, cwd = process.cwd()): Promise<(typeof Step)[]> {
  const location = locateModule(specifier, cwd);
  let url: string;
  if (location.kind === "file") {
    if (TYPESCRIPT_FILE.test(location.path)) await enableModuleHooks();
    url = pathToFileURL(location.path).href;
  } else {
    // A package may be written in TypeScript; and the hooks resolve it from cwd.
    await enableModuleHooks();
    url = resolvePackage(specifier, location.name, location.triedFiles, cwd);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const moduleFile = url.startsWith("file:") ? fileURLToPath(url) : undefined;
    const advice = hint(err, moduleFile, cwd);
    const sentence = advice && !/[.!?]$/.test(reason) ? `${reason}.` : reason;
    throw failure(specifier, `could not load it: ${sentence}${advice}`);
  }
  const classes: (typeof Step)[] = [];
  for (const value of Object.values(namespace)) {
    if (typeof value === "function" && value.prototype instanceof Step) {
      const cls = value as typeof Step;
      if (!Object.prototype.hasOwnProperty.call(cls, "stepModule")) cls.stepModule = specifier;
      registerClass(cls);
      classes.push(cls);
    }
  }
  return classes;
}
