// Migration 0002 on every database: rows that the 0001-era writer stored JSON-encoded (as the wire carries a
// failure's text) are decoded once; any other text is untouched. Batched, and resumable where the
// database cannot run it in one transaction (MySQL).
import { Migrator, sql, type Kysely, type Migration } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openHistoryDb, type HistoryDb } from "../../src/history/database.js";
import { initial } from "../../src/history/migrations/0001_initial.js";
import { migrateToLatest } from "../../src/history/migrations/index.js";
import { parseDbUrl } from "../../src/history/url.js";
import { BACKENDS } from "./backends.js";

const STACK = 'Error: no "good"\n    at run (step.ts:1:2)\n\ttab, back\\slash, ünïcode 😀';

/** What the old writer stored for each kind of row, and what 0002 leaves there. */
const KINDS: { stored: string | null; repaired: string | null }[] = [
  { stored: JSON.stringify(STACK), repaired: STACK },
  // Plain text (a client that does not encode), even with quotes: kept.
  { stored: 'he said "hi"\nbye', repaired: 'he said "hi"\nbye' },
  // Starts like a JSON string but is not one: kept.
  { stored: '"unterminated', repaired: '"unterminated' },
  { stored: '"two" "strings"', repaired: '"two" "strings"' },
  // JSON, but not a string: kept.
  { stored: '["a", "b"]', repaired: '["a", "b"]' },
  { stored: null, repaired: null },
  // Decoded once only: the text itself was a quoted string.
  { stored: JSON.stringify('"quoted"'), repaired: '"quoted"' },
  // NUL, which PostgreSQL refuses in text, becomes U+FFFD as the writer stores it.
  { stored: JSON.stringify("nul \u0000 here"), repaired: "nul \uFFFD here" },
  { stored: '""', repaired: "" },
];

/** More rows than one batch of the migration (500), so it goes through several. */
const ROWS = 1_234;

async function migrateTo0001(db: Kysely<unknown>, dialect: HistoryDb["dialect"]["name"]): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async (): Promise<Record<string, Migration>> => ({ "0001_initial": initial(dialect) }),
    },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error("migrating to 0001 failed", { cause: error });
}

/** Rows 1..ROWS as the 0001-era writer left them: run i has KINDS[i % n] as its error and event message. */
async function insertOldRows(hdb: HistoryDb): Promise<void> {
  const kindOf = (i: number) => KINDS[i % KINDS.length]!;
  for (let start = 1; start <= ROWS; start += 100) {
    const ids = Array.from({ length: Math.min(100, ROWS - start + 1) }, (_, k) => start + k);
    await hdb.db
      .insertInto("steps")
      .values(
        ids.map((id) => ({
          id,
          step_id: `Old_${id}`,
          family: "Old",
          status: "FAILED",
          host: null,
          worker: null,
          started_at: 1_000 + id,
          running_at: null,
          finished_at: 2_000 + id,
          updated_at: 2_000 + id,
          error: kindOf(id).stored,
        })),
      )
      .execute();
    await hdb.db
      .insertInto("step_events")
      .values(
        ids.flatMap((id) => [
          {
            id: 2 * id - 1,
            run_id: id,
            event: "FAILED",
            ts: 2_000 + id,
            host: null,
            worker: null,
            message: kindOf(id).stored,
          },
          {
            id: 2 * id,
            run_id: id,
            event: "PENDING",
            ts: 3_000 + id,
            host: null,
            worker: null,
            message: "retry",
          },
        ]),
      )
      .execute();
  }
}

async function columns(
  hdb: HistoryDb,
): Promise<{ errors: Map<number, string | null>; messages: Map<number, string | null> }> {
  const steps = await hdb.db.selectFrom("steps").select(["id", "error"]).execute();
  const events = await hdb.db.selectFrom("step_events").select(["id", "message"]).execute();
  return {
    errors: new Map(steps.map((r) => [Number(r.id), r.error])),
    messages: new Map(events.map((r) => [Number(r.id), r.message])),
  };
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`history migrations on ${backend.name}`, () => {
    const opened: { hdb: HistoryDb; drop: () => Promise<void> }[] = [];
    const fresh = async (): Promise<HistoryDb> => {
      const db = await backend.create();
      const hdb = openHistoryDb(parseDbUrl(db.url), () => undefined);
      opened.push({ hdb, drop: db.drop });
      await migrateTo0001(hdb.db as unknown as Kysely<unknown>, hdb.dialect.name);
      await insertOldRows(hdb);
      return hdb;
    };
    afterAll(async () => {
      for (const { hdb, drop } of opened) {
        await hdb.destroy();
        await drop();
      }
    });

    it("0002 decodes the error texts stored JSON-encoded, and only those", async () => {
      const hdb = await fresh();
      const applied = await migrateToLatest(hdb.db as unknown as Kysely<unknown>, hdb.dialect.name);
      expect(applied).toEqual(["0002_decode_error_text", "0003_event_actor", "0004_step_logs"]);
      const { errors, messages } = await columns(hdb);
      expect(errors.size).toBe(ROWS);
      for (let id = 1; id <= ROWS; id++) {
        const kind = KINDS[id % KINDS.length]!;
        expect(errors.get(id), `steps ${id}: ${kind.stored}`).toBe(kind.repaired);
        expect(messages.get(2 * id - 1), `event of ${id}: ${kind.stored}`).toBe(kind.repaired);
        expect(messages.get(2 * id)).toBe("retry");
      }
      // Its progress table is gone, and a second start applies nothing (and decodes nothing twice).
      await expect(sql`SELECT * FROM history_migration_0002`.execute(hdb.db)).rejects.toThrow();
      expect(await migrateToLatest(hdb.db as unknown as Kysely<unknown>, hdb.dialect.name)).toEqual([]);
      expect((await columns(hdb)).errors.get(KINDS.length + 6)).toBe('"quoted"');
      // 0003 adds who asked for a change: nobody, for every row written before it.
      const actors = await hdb.db.selectFrom("step_events").select("actor").distinct().execute();
      expect(actors).toEqual([{ actor: null }]);
    });

    it("0002 resumes after the last batch it committed instead of decoding a repaired row again", async () => {
      const hdb = await fresh();
      // As a MySQL luigid stopped mid-way leaves it: steps repaired up to id 600, no events yet.
      await sql`CREATE TABLE history_migration_0002 (table_name varchar(64) PRIMARY KEY, last_id bigint NOT NULL)`.execute(
        hdb.db,
      );
      await sql`INSERT INTO history_migration_0002 (table_name, last_id) VALUES ('steps', 600)`.execute(
        hdb.db,
      );
      await migrateToLatest(hdb.db as unknown as Kysely<unknown>, hdb.dialect.name);
      const { errors, messages } = await columns(hdb);
      for (let id = 1; id <= ROWS; id++) {
        const kind = KINDS[id % KINDS.length]!;
        expect(errors.get(id), `steps ${id}`).toBe(id <= 600 ? kind.stored : kind.repaired);
        expect(messages.get(2 * id - 1), `event of ${id}`).toBe(kind.repaired);
      }
    });
  });
}
