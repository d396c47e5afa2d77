import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ErrorCode, LuigiError } from "../../src/errors.js";
import { requireOptional } from "../../src/loader/optional-package.js";
import { ROOT } from "../helpers/cli.js";

const run = promisify(execFile);

/**
 * The client libraries loaded (CommonJS, so in require.cache) after importing `entry`: one of the
 * package's exports (as a user's module does), or a file of dist/.
 */
async function clientsLoadedBy(entry: string): Promise<string[]> {
  const script = `
    import { createRequire } from "node:module";
    await import(${JSON.stringify(entry.startsWith("dist/") ? path.join(ROOT, entry) : entry)});
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = ["pg", "mysql2", "redis", "@redis/client", "pg-copy-streams", "@aws-sdk/client-s3", "@aws-sdk/lib-storage"];
    console.log(JSON.stringify(names.filter((n) => cache.some((f) => f.includes("/node_modules/" + n + "/")))));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
  return JSON.parse(stdout) as string[];
}

describe("optional peer dependencies", () => {
  it("a missing package is PACKAGE_MISSING, naming what needs it and the command that adds it", () => {
    let err: unknown;
    try {
      requireOptional("luigi-ts-no-such-client", "luigi-ts/example");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LuigiError);
    expect((err as LuigiError).code).toBe(ErrorCode.PACKAGE_MISSING);
    expect((err as LuigiError).message).toBe(
      "luigi-ts/example needs the npm package luigi-ts-no-such-client, which is not installed: run `npm install luigi-ts-no-such-client`",
    );
    expect(requireOptional<{ Pool: unknown }>("pg", "test").Pool).toBeTypeOf("function");
  });

  it("importing luigi-ts, a store's sub-path or the history's dialects loads no client library until one is used", async () => {
    for (const entry of ["luigi-ts", "luigi-ts/postgres", "luigi-ts/mysql", "luigi-ts/redis", "luigi-ts/s3"])
      expect(await clientsLoadedBy(entry), entry).toEqual([]);
    // The step history too: pg and mysql2 are loaded when a PostgreSQL or MySQL history is opened.
    expect(await clientsLoadedBy("dist/history/dialects/index.js")).toEqual([]);
  });
});
