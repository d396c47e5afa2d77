import type pg from "pg";

/**
 * The tables of luigid's state in PostgreSQL (`[scheduler] state_url`), as numbered migrations applied
 * in order at start, each once, recorded in `luigid_state_migrations`. Append only: a released
 * migration never changes; a change of schema is a new one at the end.
 *
 * - `luigid_state_meta`: one row: the fencing generation (raised by each luigid that takes the lead)
 *   and the advertised URL of the active one.
 * - `luigid_state_journal`: one row per journaled SchedulerApi call: sequence number, the time the call
 *   saw, the method, its arguments as JSON text, and the generation that wrote it.
 * - `luigid_state_snapshot`: one row: the latest snapshot (the state file's JSON) and the sequence
 *   number it folds; compaction replaces it and deletes the journal rows up to that number.
 */
export const STATE_MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: "0001_initial",
    sql: `
CREATE TABLE luigid_state_meta (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  generation BIGINT NOT NULL,
  active_url TEXT,
  active_since TIMESTAMPTZ
);
INSERT INTO luigid_state_meta (id, generation) VALUES (1, 0);
CREATE TABLE luigid_state_journal (
  seq BIGINT PRIMARY KEY,
  t DOUBLE PRECISION NOT NULL,
  method TEXT NOT NULL,
  args TEXT NOT NULL,
  generation BIGINT NOT NULL
);
CREATE TABLE luigid_state_snapshot (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  saved_at DOUBLE PRECISION NOT NULL,
  body TEXT NOT NULL,
  generation BIGINT NOT NULL
);`,
  },
];

/**
 * Brings the tables up to date; returns the names of the migrations applied now. A transaction-scoped
 * advisory lock (`lockKey`) makes two luigids starting at once apply each migration once.
 */
export async function migrateState(client: pg.Client, lockKey: string): Promise<string[]> {
  const applied: string[] = [];
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS luigid_state_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const done = new Set(
      (await client.query<{ name: string }>("SELECT name FROM luigid_state_migrations")).rows.map(
        (r) => r.name,
      ),
    );
    for (const migration of STATE_MIGRATIONS) {
      if (done.has(migration.name)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO luigid_state_migrations (name) VALUES ($1)", [migration.name]);
      applied.push(migration.name);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return applied;
}
