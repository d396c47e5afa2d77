import { sql, type Kysely, type RawBuilder } from "kysely";
import { decodeExplanation } from "../explanation.js";
import { storableText } from "../schema.js";

/**
 * Until this version the writer stored a failure's explanation as the wire carries it: JSON-encoded
 * once more (a leading quote, `\n` for each line break). This rewrites `steps.error` and
 * `step_events.message` where the stored text is a JSON string literal, to the text it encodes; any
 * other text is left alone.
 *
 * Rows are read in id order, `BATCH` at a time, so a large table never sits in memory. PostgreSQL and
 * SQLite run a migration in one transaction; MySQL cannot (DDL commits), so there each batch commits
 * with its progress in `history_migration_0002`, and a luigid stopped half-way resumes where it was
 * rather than decoding a repaired row twice. The table is dropped at the end.
 */
const BATCH = 500;
const PROGRESS = "history_migration_0002";
const COLUMNS = [
  ["steps", "error"],
  ["step_events", "message"],
] as const;

interface Row {
  id: number | string;
  text: string | null;
}

export const decodeErrorText = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable(PROGRESS)
      .ifNotExists()
      .addColumn("table_name", "varchar(64)", (c) => c.primaryKey())
      .addColumn("last_id", "bigint", (c) => c.notNull())
      .execute();
    for (const [table, column] of COLUMNS) {
      const saved = await sql<{ last_id: number | string }>`
        SELECT last_id FROM ${sql.table(PROGRESS)} WHERE table_name = ${table}`.execute(db);
      let after = Number(saved.rows[0]?.last_id ?? 0);
      if (saved.rows.length === 0) {
        await sql`INSERT INTO ${sql.table(PROGRESS)} (table_name, last_id) VALUES (${table}, 0)`.execute(db);
      }
      for (;;) {
        const { rows } = await sql<Row>`
          SELECT id, ${sql.ref(column)} AS text FROM ${sql.table(table)}
          WHERE id > ${after} AND ${sql.ref(column)} LIKE '"%'
          ORDER BY id LIMIT ${BATCH}`.execute(db);
        const last = rows[rows.length - 1];
        if (!last) break;
        after = Number(last.id);
        const fixes: { id: number; text: string }[] = [];
        for (const row of rows) {
          if (row.text === null) continue;
          const text = storableText(decodeExplanation(row.text));
          if (text !== row.text) fixes.push({ id: Number(row.id), text });
        }
        const progress = sql`UPDATE ${sql.table(PROGRESS)} SET last_id = ${after} WHERE table_name = ${table}`;
        await inOneTransaction(db, [...(fixes.length > 0 ? [rewrite(table, column, fixes)] : []), progress]);
      }
    }
    await db.schema.dropTable(PROGRESS).execute();
  },
  // Nothing to undo: decoded text is what later versions store.
  async down(): Promise<void> {},
};

/** One UPDATE for the batch: `SET column = CASE id WHEN ... THEN ... END WHERE id IN (...)`. */
function rewrite(table: string, column: string, fixes: { id: number; text: string }[]): RawBuilder<unknown> {
  const cases = sql.join(
    fixes.map((f) => sql`WHEN ${f.id} THEN ${f.text}`),
    sql` `,
  );
  const ids = sql.join(fixes.map((f) => f.id));
  return sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = CASE id ${cases} END WHERE id IN (${ids})`;
}

/** Inside the migrator's transaction (PostgreSQL, SQLite) as they are; else in a transaction of their own. */
async function inOneTransaction(db: Kysely<unknown>, statements: RawBuilder<unknown>[]): Promise<void> {
  if (db.isTransaction) {
    for (const s of statements) await s.execute(db);
    return;
  }
  await db.transaction().execute(async (trx) => {
    for (const s of statements) await s.execute(trx);
  });
}
