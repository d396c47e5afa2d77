import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { SqliteDialect } from "kysely";
import type { SqliteTarget } from "../../url.js";
import type { HistoryDialect } from "../types.js";
import { checkSqliteFile } from "./file-check.js";
import { withStatementCache } from "./statement-cache.js";

export interface SqliteDialectOptions {
  /** Create the file's directory when it is missing (luigid's default location). Default false. */
  createDirectory?: boolean;
}

/**
 * The embedded default. WAL lets the pages read while the writer writes; a busy timeout covers a second
 * process (a backup, the benchmark's loader) holding the lock for a moment.
 */
export function createSqliteDialect(
  target: SqliteTarget,
  options: SqliteDialectOptions = {},
): HistoryDialect {
  const createDirectory = options.createDirectory ?? false;
  return {
    name: "sqlite",
    kysely: new SqliteDialect({
      database: async () => {
        if (createDirectory && target.file !== ":memory:") {
          mkdirSync(path.dirname(target.file), { recursive: true });
        }
        const db = new Database(target.file);
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        db.pragma("busy_timeout = 5000");
        db.pragma("foreign_keys = ON");
        return withStatementCache(db);
      },
    }),
    checkAtStart: async () => {
      try {
        return checkSqliteFile(target.file, createDirectory);
      } catch (err) {
        return { kind: "refused", why: `${target.file}: ${(err as Error).message}` };
      }
    },
  };
}
