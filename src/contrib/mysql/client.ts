import type * as mysql from "mysql2";
import type { Pool as PromisePool, PoolConnection } from "mysql2/promise";
import { mysqlConfig } from "../../config/stores.js";
import { ErrorCode, LuigiError, TargetError } from "../../errors.js";
import { requireOptional } from "../../loader/optional-package.js";
import { activeConfig } from "../../step/context.js";
import { shownUrl } from "../shared/mask.js";

/**
 * Connections for luigi-ts/mysql (MySQL and MariaDB, on mysql2): one small pool per URL, made on first
 * use and shared by the process. A pooled connection's socket is unref'd while idle, so idle
 * connections never keep the process alive (as node-postgres's `allowExitOnIdle`).
 */

/** What hooks (`initCopy`, `postCopy`, `createTable`) get: a connection inside the load's transaction. */
export interface MySqlClient {
  query(text: string, values?: readonly unknown[]): Promise<unknown>;
}

const FOR_WHAT = "luigi-ts/mysql";
const pools = new Map<string, PromisePool>();

/** The URL in force: the one given, else `[mysql] url`, else "" (the mysql client's variables). */
export function mysqlUrl(given: string | undefined): string {
  return given ?? mysqlConfig(activeConfig()).url;
}

export function markerTableName(given: string | undefined): string {
  return given ?? mysqlConfig(activeConfig()).marker;
}

/** The mysql command-line client's variables, for a connection without a URL. */
function fromEnvironment(): mysql.PoolOptions {
  const env = process.env;
  return {
    host: env["MYSQL_HOST"] ?? "localhost",
    port: Number(env["MYSQL_TCP_PORT"] ?? "3306"),
    ...(env["USER"] !== undefined ? { user: env["USER"] } : {}),
    ...(env["MYSQL_PWD"] !== undefined ? { password: env["MYSQL_PWD"] } : {}),
  };
}

type Unrefable = { stream?: { ref?: () => void; unref?: () => void } };

function poolFor(url: string): PromisePool {
  let pool = pools.get(url);
  if (pool === undefined) {
    const { createPool } = requireOptional<typeof mysql>("mysql2", FOR_WHAT);
    const base = createPool({
      ...(url === "" ? fromEnvironment() : { uri: url }),
      connectionLimit: 4,
      charset: "utf8mb4",
      timezone: "Z",
      // MySqlQuery's `query` may hold several statements, as Luigi's does.
      multipleStatements: true,
      supportBigNumbers: true,
    });
    const socket = (conn: unknown): Unrefable["stream"] => (conn as Unrefable).stream;
    base.on("connection", (conn) => {
      // A connection the server drops while idle must not crash the process.
      conn.on("error", () => undefined);
      socket(conn)?.unref?.();
    });
    base.on("acquire", (conn) => socket(conn)?.ref?.());
    base.on("release", (conn) => socket(conn)?.unref?.());
    pool = base.promise();
    pools.set(url, pool);
  }
  return pool;
}

export function shownMysql(url: string): string {
  return `MySQL ${shownUrl(url, "(MYSQL_HOST, ... environment variables)")}`;
}

/** The server's error number (1146 no such table, 1062 duplicate entry, ...), if it has one. */
export function errno(err: unknown): number | undefined {
  const n = (err as { errno?: unknown } | null)?.errno;
  return typeof n === "number" ? n : undefined;
}

export function mysqlError(err: unknown, url: string, action: string): LuigiError {
  if (err instanceof LuigiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return new TargetError(ErrorCode.TARGET_IO, `${shownMysql(url)}: cannot ${action}: ${message}`, {
    cause: err,
    details: { store: "mysql", action, ...(typeof code === "string" ? { errorCode: code } : {}) },
  });
}

/** Runs `fn` with a connection of the pool for `url`; one that failed is discarded, not reused. */
export async function withConnection<T>(url: string, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  let conn: PoolConnection;
  try {
    conn = await poolFor(url).getConnection();
  } catch (err) {
    throw mysqlError(err, url, "connect");
  }
  let ok = false;
  try {
    const result = await fn(conn);
    ok = true;
    return result;
  } finally {
    if (ok) conn.release();
    else conn.destroy();
  }
}

export function hookClient(conn: PoolConnection): MySqlClient {
  return {
    query: async (text, values) =>
      (await conn.query(text, values === undefined ? undefined : [...values]))[0],
  };
}

/** Closes every pool of luigi-ts/mysql. */
export async function closeMySqlConnections(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end()));
}
