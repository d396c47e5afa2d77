import { Kysely } from "kysely";
import { createDialect, type DialectOptions, type HistoryDialect } from "./dialects/index.js";
import type { DriverErrorSink } from "./dialects/types.js";
import type { HistoryDatabase } from "./schema.js";
import type { DbTarget } from "./url.js";

/** A Kysely handle on the history database. Nothing connects until the first query. */
export interface HistoryDb {
  readonly db: Kysely<HistoryDatabase>;
  readonly dialect: HistoryDialect;
  destroy(): Promise<void>;
}

export function openHistoryDb(
  target: DbTarget,
  onDriverError: DriverErrorSink,
  options: DialectOptions = {},
): HistoryDb {
  const dialect = createDialect(target, onDriverError, options);
  const db = new Kysely<HistoryDatabase>({ dialect: dialect.kysely });
  return { db, dialect, destroy: () => db.destroy() };
}
