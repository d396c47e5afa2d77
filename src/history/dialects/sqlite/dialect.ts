import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { SqliteDialect } from "kysely";
import type { SqliteTarget } from "../../url.js";
import type { HistoryDialect } from "../types.js";
import { withStatementCache } from "./statement-cache.js";

/**
 * The embedded default. WAL lets the pages read while the writer writes; a busy timeout covers a second
 * process (a backup, the benchmark's loader) holding the lock for a moment.
 */
export function createSqliteDialect(target: SqliteTarget): HistoryDialect {
  return {
    name: "sqlite",
    kysely: new SqliteDialect({
      database: async () => {
        if (target.file !== ":memory:") mkdirSync(path.dirname(target.file), { recursive: true });
        const db = new Database(target.file);
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        db.pragma("busy_timeout = 5000");
        db.pragma("foreign_keys = ON");
        return withStatementCache(db);
      },
    }),
  };
}
