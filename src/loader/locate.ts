import { statSync } from "node:fs";
import path from "node:path";
import { ErrorCode, UsageError } from "../errors.js";

/** File names `--module` takes as they are. */
const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Tried in this order for a name without extension (`--module pipeline`, as Luigi users type it). */
export const IMPLICIT_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

/** Where a `--module` value points: a file, or (a bare name with no such file) a package. */
export type ModuleLocation =
  { kind: "file"; path: string } | { kind: "package"; name: string; triedFiles: string[] };

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** `./x.ts` for a file inside `cwd`, the absolute path otherwise: what an error message shows. */
export function shownPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : `./${rel}`;
}

/** "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/**
 * Finds what `--module specifier` names, relative to `cwd`:
 * - a file name with a module extension (`pipeline.ts`, `./lib/steps.mjs`, `/abs/x.js`) is that file;
 * - a path without one (`./pipeline`) is the first of `IMPLICIT_EXTENSIONS` added to it that exists;
 * - a bare name (`pipeline`, `my-steps`, `@org/steps`) is a file in `cwd` first, as for `./pipeline`,
 *   then a package (resolved later, from `cwd`).
 */
export function locateModule(specifier: string, cwd: string): ModuleLocation {
  const absolute = path.resolve(cwd, specifier);
  const flag = `--module ${specifier}`;
  if (MODULE_FILE.test(specifier)) {
    if (isFile(absolute)) return { kind: "file", path: absolute };
    throw new UsageError(
      `${flag}: no such file (${shownPath(absolute, cwd)})`,
      { module: specifier },
      ErrorCode.MODULE_LOAD,
    );
  }
  const explicitPath = specifier.startsWith(".") || path.isAbsolute(specifier);
  if (explicitPath && isFile(absolute)) return { kind: "file", path: absolute };
  const candidates = IMPLICIT_EXTENSIONS.map((ext) => absolute + ext);
  const found = candidates.find(isFile);
  if (found !== undefined) return { kind: "file", path: found };
  const triedFiles = candidates.map((file) => shownPath(file, cwd));
  if (explicitPath) {
    throw new UsageError(
      `${flag}: no such file (tried ${orList(triedFiles)})`,
      { module: specifier, tried: triedFiles },
      ErrorCode.MODULE_LOAD,
    );
  }
  return { kind: "package", name: specifier, triedFiles };
}
