import type { Kysely } from "kysely";

/**
 * `step_events.actor`: who asked for a change people make (mark as done, forgive, re-enable), as
 * "alice (operator) from 10.0.0.7"; null for the changes workers and the scheduler make, and for every
 * row written before this version. A nullable column added to an existing table: instant on all three
 * databases, whatever the table's size.
 */
export const eventActor = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("step_events").addColumn("actor", "varchar(255)").execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("step_events").dropColumn("actor").execute();
  },
};
