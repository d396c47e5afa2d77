import { sql, type Kysely } from "kysely";
import type { HistoryDialect } from "../dialects/types.js";

/**
 * `step_logs`: the captured log of each attempt of a run (what the step printed; its middle cut past
 * `[scheduler] step_log_bytes`), linked to the run (`steps.id`) and going with it. The text column is
 * unbounded in practice on every database (MySQL's TEXT would stop at 64 KiB: LONGTEXT there).
 */
export function stepLogs(dialect: HistoryDialect["name"]) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("step_logs")
        .ifNotExists()
        .addColumn("id", dialect === "postgres" ? "serial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("run_id", "integer", (c) => c.notNull().references("steps.id").onDelete("cascade"))
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("worker", "varchar(255)")
        .addColumn("ts", "bigint", (c) => c.notNull())
        .addColumn("bytes", "bigint", (c) => c.notNull())
        .addColumn("cut", "bigint", (c) => c.notNull())
        .addColumn("incomplete", "integer", (c) => c.notNull())
        .addColumn("text", dialect === "mysql" ? sql`longtext` : "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("step_logs_run_id").on("step_logs").columns(["run_id", "id"]).execute();
      if (dialect === "mysql") {
        await sql`ALTER TABLE step_logs CONVERT TO CHARACTER SET utf8mb4`.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("step_logs").ifExists().execute();
    },
  };
}
