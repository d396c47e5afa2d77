import type { DbTarget } from "../url.js";
import { createMysqlDialect } from "./mysql/dialect.js";
import { createPostgresDialect } from "./postgres/dialect.js";
import { createSqliteDialect, type SqliteDialectOptions } from "./sqlite/dialect.js";
import type { DriverErrorSink, HistoryDialect } from "./types.js";

export type { HistoryDialect, StartVerdict } from "./types.js";

/** Options that only some databases use. */
export type DialectOptions = SqliteDialectOptions;

export function createDialect(
  target: DbTarget,
  onError: DriverErrorSink,
  options: DialectOptions = {},
): HistoryDialect {
  switch (target.dialect) {
    case "sqlite":
      return createSqliteDialect(target, options);
    case "postgres":
      return createPostgresDialect(target, onError);
    case "mysql":
      return createMysqlDialect(target, onError);
  }
}
