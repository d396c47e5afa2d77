import { PostgresDialect } from "kysely";
import type pg from "pg";
import { requireOptional } from "../../../loader/optional-package.js";
import type { ServerTarget } from "../../url.js";
import { checkServer, serverIdentity } from "../server-check.js";
import type { DriverErrorSink, HistoryDialect } from "../types.js";
import { postgresRefusal } from "./refusal.js";

const DEFAULT_PORT = 5432;

/** libpq's sslmode values as node-postgres `ssl` settings. */
function sslFrom(mode: string | undefined): boolean | { rejectUnauthorized: boolean } | undefined {
  switch (mode) {
    case undefined:
    case "disable":
    case "allow":
    case "prefer":
      return undefined;
    case "require":
      return { rejectUnauthorized: false };
    default: // verify-ca, verify-full
      return { rejectUnauthorized: true };
  }
}

export function createPostgresDialect(target: ServerTarget, onError: DriverErrorSink): HistoryDialect {
  const timeout = Number(target.options["connect_timeout"] ?? "10");
  const ssl = sslFrom(target.options["sslmode"]);
  // An optional peer dependency: only a PostgreSQL history needs it.
  const { Pool } = requireOptional<typeof pg>(
    "pg",
    "A PostgreSQL step history ([step_history] db_connection)",
  );
  const pool = new Pool({
    host: target.host,
    port: target.port ?? DEFAULT_PORT,
    database: target.database,
    ...(target.user !== undefined ? { user: target.user } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(target.options["application_name"] ? { application_name: target.options["application_name"] } : {}),
    connectionTimeoutMillis: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 10_000,
    max: 4,
  });
  // Without a listener an idle connection dropped by the server would crash luigid.
  pool.on("error", onError);
  const id = serverIdentity(target, DEFAULT_PORT);
  return {
    name: "postgres",
    kysely: new PostgresDialect({ pool }),
    checkAtStart: (db) => checkServer(db, target, id, postgresRefusal),
  };
}
