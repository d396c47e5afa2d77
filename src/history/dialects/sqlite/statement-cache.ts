import type { Database, Statement } from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Kysely prepares every query anew; for the writer's multi-row inserts SQLite's prepare costs as much
 * as running them. The writer repeats the same few statements (full chunks have the same SQL), so the
 * prepared statements are kept, least recently used dropped past `capacity`.
 */
export function withStatementCache(db: Database, capacity = 128): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= capacity) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
