import { MysqlDialect } from "kysely";
import type * as mysql from "mysql2";
import { requireOptional } from "../../../loader/optional-package.js";
import type { ServerTarget } from "../../url.js";
import { checkServer, serverIdentity } from "../server-check.js";
import type { DriverErrorSink, HistoryDialect } from "../types.js";
import { mysqlRefusal } from "./refusal.js";

const DEFAULT_PORT = 3306;

export function createMysqlDialect(target: ServerTarget, onError: DriverErrorSink): HistoryDialect {
  const timeout = Number(target.options["connect_timeout"] ?? "10");
  const sslMode = (target.options["ssl_mode"] ?? target.options["sslmode"] ?? "").toLowerCase();
  // An optional peer dependency: only a MySQL history needs it.
  const { createPool } = requireOptional<typeof mysql>(
    "mysql2",
    "A MySQL/MariaDB step history ([step_history] db_connection)",
  );
  const pool = createPool({
    host: target.host,
    port: target.port ?? DEFAULT_PORT,
    database: target.database,
    ...(target.user !== undefined ? { user: target.user } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(sslMode === "required" || sslMode === "require" ? { ssl: { rejectUnauthorized: false } } : {}),
    charset: "utf8mb4",
    timezone: "Z",
    connectTimeout: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 10_000,
    connectionLimit: 4,
    // BIGINT columns hold epoch milliseconds: well within a double's exact range.
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  pool.on("connection", (conn) => conn.on("error", onError));
  const id = serverIdentity(target, DEFAULT_PORT);
  return {
    name: "mysql",
    kysely: new MysqlDialect({ pool }),
    checkAtStart: (db) => checkServer(db, target, id, mysqlRefusal),
  };
}
