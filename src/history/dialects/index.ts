import type { DbTarget } from "../url.js";
import { createMysqlDialect } from "./mysql/dialect.js";
import { createPostgresDialect } from "./postgres/dialect.js";
import { createSqliteDialect } from "./sqlite/dialect.js";
import type { DriverErrorSink, HistoryDialect } from "./types.js";

export type { HistoryDialect } from "./types.js";

export function createDialect(target: DbTarget, onError: DriverErrorSink): HistoryDialect {
  switch (target.dialect) {
    case "sqlite":
      return createSqliteDialect(target);
    case "postgres":
      return createPostgresDialect(target, onError);
    case "mysql":
      return createMysqlDialect(target, onError);
  }
}
