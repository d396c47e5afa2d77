/**
 * `[step_history] db_connection`: SQLAlchemy-style database URLs, as Luigi users already write them.
 *
 *   sqlite:////abs/path.db   sqlite:///relative.db   sqlite://   (in memory)
 *   postgresql://user:pass@host:5432/db?sslmode=require   postgresql+psycopg2://...   postgres://...
 *   mysql://user:pass@host:3306/db   mysql+pymysql://...   mariadb://...
 *
 * The `+driver` part names a Python driver: it is accepted and ignored. Anything else is a ConfigError
 * naming the setting, so that luigid stops at start rather than running without its history.
 */
import path from "node:path";
import { ConfigError } from "../errors.js";
import { maskUrlPassword } from "../log/mask-url.js";

export const DB_CONNECTION_SETTING = "[step_history] db_connection";

export interface SqliteTarget {
  readonly dialect: "sqlite";
  /** An absolute path, or ":memory:". */
  readonly file: string;
}

export interface ServerTarget {
  readonly dialect: "postgres" | "mysql";
  readonly host: string;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string;
  /** Query options (`?sslmode=require&connect_timeout=5`), decoded. */
  readonly options: Readonly<Record<string, string>>;
}

export type DbTarget = SqliteTarget | ServerTarget;

const SCHEMES: Record<string, DbTarget["dialect"]> = {
  sqlite: "sqlite",
  postgresql: "postgres",
  postgres: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
};

/** Parses a db_connection URL; relative SQLite paths resolve against `cwd`. */
export function parseDbUrl(text: string, cwd: string = process.cwd()): DbTarget {
  const url = text.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9]*)(?:\+([a-zA-Z0-9_]+))?:\/\//.exec(url);
  if (!scheme) {
    throw bad(url, "expected a URL such as sqlite:////var/lib/luigi/history.db or postgresql://host/db");
  }
  const dialect = SCHEMES[(scheme[1] ?? "").toLowerCase()];
  if (!dialect) {
    throw bad(url, `unsupported database "${scheme[1]}" (supported: sqlite, postgresql, mysql)`);
  }
  const rest = url.slice(scheme[0].length);
  if (dialect === "sqlite") return parseSqlite(url, rest, cwd);
  return parseServer(url, dialect, rest);
}

function parseSqlite(url: string, rest: string, cwd: string): SqliteTarget {
  // SQLAlchemy: sqlite:// is memory; sqlite:///x is the relative path x; sqlite:////x the absolute /x.
  const noQuery = rest.split("?")[0] ?? "";
  if (noQuery === "" || noQuery === "/:memory:" || noQuery === ":memory:") {
    return { dialect: "sqlite", file: ":memory:" };
  }
  if (!noQuery.startsWith("/")) {
    throw bad(url, "a SQLite URL has no host: write sqlite:///relative.db or sqlite:////absolute/path.db");
  }
  const file = decodeURIComponent(noQuery.slice(1));
  if (file === "") throw bad(url, "the SQLite file name is missing");
  return { dialect: "sqlite", file: path.isAbsolute(file) ? file : path.resolve(cwd, file) };
}

function parseServer(url: string, dialect: ServerTarget["dialect"], rest: string): ServerTarget {
  let parsed: URL;
  try {
    // The scheme is swapped for one WHATWG URL parses generically (it rejects nothing we accept).
    parsed = new URL(`db://${rest}`);
  } catch {
    throw bad(url, "malformed URL");
  }
  if (parsed.hostname === "") throw bad(url, "the host is missing");
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw bad(url, "expected exactly one database name after the host, e.g. postgresql://host:5432/luigi");
  }
  let port: number | undefined;
  if (parsed.port !== "") {
    port = Number(parsed.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw bad(url, "bad port");
  }
  const options: Record<string, string> = {};
  for (const [k, v] of parsed.searchParams) options[k] = v;
  return {
    dialect,
    // WHATWG keeps IPv6 hosts bracketed; drivers want them bare.
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    user: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
    database,
    options,
  };
}

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(text: string): string {
  return maskUrlPassword(text);
}

function bad(url: string, why: string): ConfigError {
  return new ConfigError(`${DB_CONNECTION_SETTING} = ${redactUrl(url)}: ${why}`, {
    section: "step_history",
    key: "db_connection",
  });
}
