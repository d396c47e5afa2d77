import { createRequire } from "node:module";
import { ErrorCode, LuigiError } from "../errors.js";

/*
 * The client libraries of the stores (pg, mysql2, redis, pg-copy-streams, @aws-sdk/client-s3 and
 * @aws-sdk/lib-storage) are optional peer dependencies: a user who uses none installs none. So nothing
 * imports them statically; each is required here, on first use, from where luigi-ts is installed (where npm puts a peer beside it).
 * They are CommonJS packages, so a synchronous require serves callers that cannot await (the history's
 * dialect factory).
 */
const requireHere = createRequire(import.meta.url);

/**
 * The package `name`, or a LuigiError PACKAGE_MISSING saying what needs it and the command that adds
 * it. `forWhat` completes "... needs the npm package X", e.g. "luigi-ts/postgres".
 */
export function requireOptional<T>(name: string, forWhat: string): T {
  try {
    return requireHere(name) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Only the package itself being absent; a broken install of it is its own error.
    if (code !== "MODULE_NOT_FOUND" || !String((err as Error).message).includes(`'${name}'`)) throw err;
    throw new LuigiError(
      ErrorCode.PACKAGE_MISSING,
      `${forWhat} needs the npm package ${name}, which is not installed: run \`npm install ${name}\``,
      { cause: err, details: { package: name, for: forWhat } },
    );
  }
}
