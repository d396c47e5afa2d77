import { sql, type Kysely } from "kysely";
import type { HistoryDialect } from "../dialects/types.js";

/**
 * The first schema. Migrations are append-only: a later version adds 0002_..., never edits this one.
 * The indexes serve the pages: recent runs (updated_at), by family and by step id (newest first),
 * parameter matches (name, value_key), a run's events (run_id), and pruning by time (ts).
 */
export function initial(dialect: HistoryDialect["name"]) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("steps")
        .ifNotExists()
        .addColumn("id", dialect === "postgres" ? "serial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("step_id", "varchar(255)", (c) => c.notNull())
        .addColumn("family", "varchar(255)", (c) => c.notNull())
        .addColumn("status", "varchar(20)", (c) => c.notNull())
        .addColumn("host", "varchar(255)")
        .addColumn("worker", "varchar(255)")
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("running_at", "bigint")
        .addColumn("finished_at", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("steps_updated_at").on("steps").columns(["updated_at", "id"]).execute();
      await db.schema.createIndex("steps_family_id").on("steps").columns(["family", "id"]).execute();
      await db.schema.createIndex("steps_step_id_id").on("steps").columns(["step_id", "id"]).execute();

      await db.schema
        .createTable("step_parameters")
        .ifNotExists()
        .addColumn("run_id", "integer", (c) => c.notNull().references("steps.id").onDelete("cascade"))
        .addColumn("name", "varchar(128)", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("value_key", "varchar(190)", (c) => c.notNull())
        .addPrimaryKeyConstraint("step_parameters_pk", ["run_id", "name"])
        .execute();
      await db.schema
        .createIndex("step_parameters_name_value")
        .on("step_parameters")
        .columns(["name", "value_key", "run_id"])
        .execute();

      await db.schema
        .createTable("step_events")
        .ifNotExists()
        .addColumn("id", dialect === "postgres" ? "serial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("run_id", "integer", (c) => c.notNull().references("steps.id").onDelete("cascade"))
        .addColumn("event", "varchar(20)", (c) => c.notNull())
        .addColumn("ts", "bigint", (c) => c.notNull())
        .addColumn("host", "varchar(255)")
        .addColumn("worker", "varchar(255)")
        .addColumn("message", "text")
        .execute();
      await db.schema.createIndex("step_events_run_id").on("step_events").columns(["run_id", "id"]).execute();
      await db.schema.createIndex("step_events_ts").on("step_events").column("ts").execute();
      if (dialect === "mysql") {
        // InnoDB tables default to the server's charset; step names and values are UTF-8.
        for (const table of ["steps", "step_parameters", "step_events"]) {
          await sql`ALTER TABLE ${sql.table(table)} CONVERT TO CHARACTER SET utf8mb4`.execute(db);
        }
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("step_events").ifExists().execute();
      await db.schema.dropTable("step_parameters").ifExists().execute();
      await db.schema.dropTable("steps").ifExists().execute();
    },
  };
}
