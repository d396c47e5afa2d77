// luigi-ts/postgres against the real PostgreSQL of LUIGI_TEST_POSTGRES_URL (skipped without it). The
// file works in a schema of its own, dropped at the end.
import { writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, LuigiError, TargetError } from "../../src/errors.js";
import { build, completeInBulk, ExternalStep, LocalTarget, param } from "../../src/index.js";
import {
  closePostgresConnections,
  CopyToTable,
  PostgresQuery,
  PostgresTarget,
} from "../../src/contrib/postgres/index.js";
import { lostCreateRace } from "../../src/contrib/postgres/client.js";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";

const URL_ = process.env.LUIGI_TEST_POSTGRES_URL ?? "";
const SCHEMA = `luigi_pg_${process.pid}_${Date.now().toString(36)}`;
const MARKERS = `${SCHEMA}.table_updates`;

let admin: pg.Client;
async function count(sql: string, values: unknown[] = []): Promise<number> {
  const res = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS q`, values);
  return Number(res.rows[0]?.n);
}
const tableExists = async (table: string): Promise<boolean> =>
  (await admin.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [table])).rows[0]?.t !== null;

// The race itself is in "loads of several updates into one new table at once" below; its 42710 comes
// only when the winner commits inside the loser's CREATE (seen once in CI: 'type "parallel_0" already
// exists'), so each way PostgreSQL reports a lost race is checked here too.
describe("a CREATE TABLE that lost the race to another session's", () => {
  it("is told by each SQLSTATE PostgreSQL gives it, and by nothing else", () => {
    for (const code of ["42P07", "23505", "42710"]) expect(lostCreateRace({ code })).toBe(true);
    for (const err of [{ code: "42P01" }, { code: "23503" }, new Error("42710"), undefined, null])
      expect(lostCreateRace(err)).toBe(false);
  });
});

describe.skipIf(URL_ === "")("luigi-ts/postgres", () => {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: URL_ });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  });
  afterAll(async () => {
    await closePostgresConnections();
    await admin?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin?.end();
  });

  /** A day of numbered rows; `failAt` (not part of the step id) makes rows() throw after that many. */
  class Load extends CopyToTable.with({
    day: param.date(),
    count: param.int(),
    failAt: param.int({ default: -1, significant: false }),
  }) {
    table = `${SCHEMA}.loads`;
    override connectionUrl = URL_;
    override markerTable = MARKERS;
    override batchSize = 1000;
    columns = [
      ["day", "DATE"],
      ["n", "INTEGER"],
      ["label", "TEXT"],
    ] as const;
    async *rows() {
      for (let i = 0; i < this.count; i++) {
        if (i === this.failAt) throw new Error(`the source broke at row ${i}`);
        yield [this.day, i, `row ${i}`];
      }
    }
  }
  const day = new Date("2026-11-20");

  it("CopyToTable through `luigi`: creates the table, loads, marks as Luigi does; a rerun does nothing", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    // The password-less URL of the test server, and a marker table name Luigi would also read.
    writeFileSync(cfg, `[postgres]\nurl = ${URL_}\n`);
    const args = ["--module", path.join(FIXTURES, "stores.ts"), "PgLoadSales", "--day", "2026-11-20"];
    const env = { LUIGI_CONFIG_PATH: cfg, SCHEMA, LOG: w.log };
    const first = await collect(startLuigi([...args, "--local-scheduler"], { cwd: w.dir, env }));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("1 ran successfully");
    expect(await count(`SELECT * FROM ${SCHEMA}.sales WHERE day = '2026-11-20'`)).toBe(3);
    const marker = await admin.query<{ update_id: string; target_table: string; inserted: unknown }>(
      `SELECT update_id, target_table, inserted FROM ${MARKERS}`,
    );
    expect(marker.rows).toHaveLength(1);
    expect(marker.rows[0]).toMatchObject({
      update_id: "PgLoadSales_3_2026_11_20_f3a797bc6e",
      target_table: `${SCHEMA}.sales`,
    });
    expect(marker.rows[0]?.inserted).toBeInstanceOf(Date);

    // Again, with the connection from libpq's variables instead of the config: the marker is found.
    const u = new URL(URL_);
    const pgEnv = {
      PGHOST: u.hostname,
      PGPORT: u.port || "5432",
      PGUSER: decodeURIComponent(u.username),
      PGDATABASE: u.pathname.slice(1),
      ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
    };
    const again = await collect(
      startLuigi([...args, "--local-scheduler"], { cwd: w.dir, env: { ...pgEnv, SCHEMA, LOG: w.log } }),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 complete ones were encountered");
    expect(w.runs()).toEqual(["PgLoadSales 2026-11-20"]);
    expect(await count(`SELECT * FROM ${SCHEMA}.sales`)).toBe(3);
  });

  it("RangeDaily over CopyToTable through `luigi`: only the days without a marker load", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, `[postgres]\nurl = ${URL_}\n`);
    const range = (start: string) => [
      "--module",
      path.join(FIXTURES, "stores.ts"),
      "RangeDaily",
      "--of",
      "PgLoadSales",
      "--start",
      start,
      "--stop",
      "2026-10-04",
      // The window is days back from "now": a fixed now keeps the test of any date.
      "--now",
      String(Date.UTC(2026, 9, 10) / 1000),
      "--local-scheduler",
    ];
    const env = { LUIGI_CONFIG_PATH: cfg, SCHEMA, LOG: w.log };
    const first = await collect(startLuigi(range("2026-10-02"), { cwd: w.dir, env }));
    expect(first.code, first.stderr).toBe(0);
    expect(w.runs().sort()).toEqual(["PgLoadSales 2026-10-02", "PgLoadSales 2026-10-03"]);
    // A day more at the start: only that day has no marker.
    const second = await collect(startLuigi(range("2026-10-01"), { cwd: w.dir, env }));
    expect(second.code, second.stderr).toBe(0);
    expect(w.runs().sort()).toEqual([
      "PgLoadSales 2026-10-01",
      "PgLoadSales 2026-10-02",
      "PgLoadSales 2026-10-03",
    ]);
    expect(await count(`SELECT * FROM ${SCHEMA}.sales WHERE day BETWEEN '2026-10-01' AND '2026-10-03'`)).toBe(
      9,
    );
  });

  it("rows() failing half-way (12 batches already handed to COPY) leaves neither rows nor marker; the retry loads all", async () => {
    const failing = new Load({ day, count: 20_000, failAt: 12_500 });
    const summary = await build([failing], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(Object.values(summary.errors).join()).toContain("the source broke at row 12500");
    expect(await tableExists(`${SCHEMA}.loads`)).toBe(false); // created in the same transaction
    expect(await count(`SELECT * FROM ${MARKERS} WHERE update_id = $1`, [failing.id])).toBe(0);
    expect(await failing.output().exists()).toBe(false);

    Load.clearInstanceCache();
    const retry = new Load({ day, count: 20_000 });
    expect(retry.id).toBe(failing.id);
    expect((await build([retry], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await count(`SELECT * FROM ${SCHEMA}.loads`)).toBe(20_000);
    expect(await retry.output().exists()).toBe(true);

    const rerun = await build([retry], { localScheduler: true });
    expect(rerun.status).toBe("SUCCESS");
    expect(rerun.categories.already_done).toHaveLength(1);
    expect(rerun.categories.completed ?? []).toHaveLength(0);
    expect(await count(`SELECT * FROM ${SCHEMA}.loads`)).toBe(20_000);
  });

  it("two runs of one update at once, several rounds: one commits, the other rolls back (TARGET_EXISTS)", async () => {
    for (let round = 0; round < 4; round++) {
      const step = new Load({ day: new Date(Date.UTC(2027, 0, 1 + round)), count: 5000 });
      const outcomes = await Promise.allSettled([step.run(), step.run()]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const lost = outcomes.find((o) => o.status === "rejected");
      expect((lost as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.TARGET_EXISTS });
      expect(await count(`SELECT * FROM ${SCHEMA}.loads WHERE day = $1`, [step.day])).toBe(5000);
      expect(await step.output().exists()).toBe(true);
    }
  });

  it("loads of several updates into one new table at once, several rounds: every load lands, the table made once", async () => {
    for (let round = 0; round < 3; round++) {
      class Parallel extends CopyToTable.with({ part: param.int(), round: param.int() }) {
        table = `${SCHEMA}.parallel_${round}`;
        override connectionUrl = URL_;
        override markerTable = MARKERS;
        columns = [
          ["part", "INTEGER"],
          ["n", "INTEGER"],
        ] as const;
        async *rows() {
          for (let i = 0; i < 2000; i++) yield [this.part, i];
        }
      }
      const parts = [0, 1, 2].map((part) => new Parallel({ part, round }));
      await Promise.all(parts.map((step) => step.run()));
      expect(await count(`SELECT * FROM ${SCHEMA}.parallel_${round}`)).toBe(6000);
      expect(await completeInBulk(parts)).toEqual([true, true, true]);
    }
  });

  it("completeInBulk (a range step's check): the marked days among many, one query per marker table", async () => {
    const days = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)));
    const steps = days.map((d) => new Load({ day: d, count: 1 }));
    for (const i of [3, 17, 39])
      expect((await build([steps[i] as Load], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await completeInBulk(steps)).toEqual(days.map((_, i) => [3, 17, 39].includes(i)));
    const expected = days.map((_, i) => [3, 17, 39].includes(i));
    expect(await PostgresTarget.existsInBulk(steps.map((s) => s.output()))).toEqual(expected);
    // A target class of one's own with its own exists() is asked through it.
    class Never extends PostgresTarget {
      override exists(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    const mixed = [
      ...steps.slice(0, 5).map((s) => s.output()),
      new Never({ table: "t", updateId: (steps[3] as Load).id }),
    ];
    expect(await PostgresTarget.existsInBulk(mixed)).toEqual([false, false, false, true, false, false]);
  });

  it("the step's timeout stops a load that is still reading rows: nothing loaded, nothing marked", async () => {
    class Slow extends CopyToTable {
      table = `${SCHEMA}.slow`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      override workerTimeout = 1;
      override batchSize = 10;
      columns = [["n", "INTEGER"]] as const;
      async *rows() {
        // At most 40 s of rows: the 1 s timeout ends it long before.
        for (let i = 0; i < 800; i++) {
          yield [i];
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    const step = new Slow();
    const summary = await build([step], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(Object.values(summary.errors).join()).toMatch(/timed out|timeout/i);
    expect(await tableExists(`${SCHEMA}.slow`)).toBe(false);
    expect(await step.output().exists()).toBe(false);
  });

  it("a value the server refuses mid-COPY rolls the whole load back, and says so without a password", async () => {
    await admin.query(`CREATE TABLE ${SCHEMA}.typed (n INTEGER)`);
    class Typed extends CopyToTable {
      table = `${SCHEMA}.typed`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      columns = ["n"];
      *rows() {
        for (let i = 0; i < 30_000; i++) yield [i === 15_000 ? "fifteen thousand" : i];
      }
    }
    const step = new Typed();
    let failure: unknown;
    try {
      await step.run();
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toMatch(
      /cannot copy rows into .*typed: invalid input syntax for type integer/,
    );
    expect((failure as TargetError).details).toMatchObject({ sqlState: "22P02", store: "postgres" });
    expect(await count(`SELECT * FROM ${SCHEMA}.typed`)).toBe(0);
    expect(await step.output().exists()).toBe(false);
  });

  it("COPY text: tabs, newlines, backslashes, NULL, dates, bytes and JSON arrive as they were", async () => {
    const values: unknown[][] = [
      [
        "a\tb\nc\r\\d\v\b\f",
        null,
        new Date("2026-11-20T10:11:12.345Z"),
        Buffer.from([0, 1, 255]),
        { k: ["v", 1] },
      ],
      ["\\N", undefined, new Date(0), new Uint8Array([92, 78]), [1, 2]],
      ["", "", new Date("1999-12-31T23:59:59Z"), Buffer.alloc(0), {}],
    ];
    class Odd extends CopyToTable {
      table = `${SCHEMA}.odd`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      columns = [
        ["t", "TEXT"],
        ["maybe", "TEXT"],
        ["at", "TIMESTAMPTZ"],
        ["bytes", "BYTEA"],
        ["doc", "JSONB"],
      ] as const;
      rows() {
        return values;
      }
    }
    await new Odd().run();
    const back = await admin.query(`SELECT t, maybe, at, bytes, doc FROM ${SCHEMA}.odd ORDER BY at DESC`);
    expect(back.rows.map((r: Record<string, unknown>) => Object.values(r))).toEqual([
      [
        "a\tb\nc\r\\d\v\b\f",
        null,
        new Date("2026-11-20T10:11:12.345Z"),
        Buffer.from([0, 1, 255]),
        { k: ["v", 1] },
      ],
      ["", "", new Date("1999-12-31T23:59:59Z"), Buffer.alloc(0), {}],
      ["\\N", null, new Date(0), Buffer.from([92, 78]), [1, 2]],
    ]);
  });

  it("the default rows() loads the input's lines split at tabs, as Luigi's", async () => {
    const file = path.join(workdir().dir, "sales.tsv");
    writeFileSync(file, "2026-11-20\tnorth\t12\n2026-11-20\tsouth\t30\n");
    class SalesFile extends ExternalStep {
      output() {
        return new LocalTarget(file);
      }
    }
    class FromFile extends CopyToTable {
      table = `${SCHEMA}.from_file`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      columns = [
        ["day", "DATE"],
        ["shop", "TEXT"],
        ["amount", "INTEGER"],
      ] as const;
      requires() {
        return new SalesFile();
      }
    }
    expect((await build([new FromFile()], { localScheduler: true })).status).toBe("SUCCESS");
    const back = await admin.query(`SELECT shop, amount FROM ${SCHEMA}.from_file ORDER BY shop`);
    expect(back.rows).toEqual([
      { shop: "north", amount: 12 },
      { shop: "south", amount: 30 },
    ]);
  });

  it("a row of the wrong width, or a table without types that does not exist, is the step's error", async () => {
    class Narrow extends CopyToTable {
      table = `${SCHEMA}.narrow`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      columns = [
        ["a", "TEXT"],
        ["b", "TEXT"],
      ] as const;
      rows() {
        return [["1", "2"], ["3"]];
      }
    }
    await expect(new Narrow().run()).rejects.toThrow("Narrow.rows(): row 2 has 1 values, expected 2");
    expect(await tableExists(`${SCHEMA}.narrow`)).toBe(false);

    class Untyped extends CopyToTable {
      table = `${SCHEMA}.nowhere`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      columns = ["a"];
      rows() {
        return [["1"]];
      }
    }
    await expect(new Untyped().run()).rejects.toThrow(
      /table .*nowhere does not exist, and columns give no types/,
    );

    class BadName extends Untyped {
      override table = "sales; DROP TABLE x";
    }
    await expect(new BadName().run()).rejects.toThrow(
      'BadName.table = "sales; DROP TABLE x": expected an SQL name',
    );
  });

  it("PostgresQuery runs its statements and marks in one transaction; a failing one leaves nothing", async () => {
    await admin.query(`CREATE TABLE ${SCHEMA}.totals (day DATE, total INTEGER)`);
    class Rollup extends PostgresQuery.with({ day: param.date(), broken: param.bool({ default: false }) }) {
      table = `${SCHEMA}.totals`;
      override connectionUrl = URL_;
      override markerTable = MARKERS;
      get query() {
        const insert = `INSERT INTO ${SCHEMA}.totals VALUES ('${this.day.toISOString().slice(0, 10)}', 42)`;
        return this.broken ? `${insert}; SELECT 1/0` : insert;
      }
    }
    const broken = new Rollup({ day, broken: true });
    expect((await build([broken], { localScheduler: true })).status).toBe("FAILED");
    expect(await count(`SELECT * FROM ${SCHEMA}.totals`)).toBe(0);
    expect(await broken.output().exists()).toBe(false);

    const good = new Rollup({ day });
    expect((await build([good], { localScheduler: true })).status).toBe("SUCCESS");
    expect((await build([good], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await count(`SELECT * FROM ${SCHEMA}.totals`)).toBe(1); // ran once
    expect(await count(`SELECT * FROM ${MARKERS} WHERE update_id = $1`, [good.id])).toBe(1);
  });

  it("PostgresTarget: no marker table is 'not done'; touch() marks once; errors mask the password", async () => {
    const markers = `${SCHEMA}.other_markers`;
    const target = new PostgresTarget({ table: "t", updateId: "u-1", url: URL_, markerTable: markers });
    expect(await target.exists()).toBe(false);
    expect(await tableExists(markers)).toBe(false); // asking creates nothing
    await target.touch();
    expect(await target.exists()).toBe(true);
    expect(String(target)).toBe("t");
    await expect(target.touch()).rejects.toMatchObject({ code: ErrorCode.TARGET_EXISTS });

    const secret = new PostgresTarget({
      table: "t",
      updateId: "u",
      url: "postgresql://luigi:s3cr3t@127.0.0.1:1/db",
    });
    const err = await secret.exists().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LuigiError);
    expect((err as Error).message).toContain(
      "PostgreSQL postgresql://luigi:***@127.0.0.1:1/db: cannot connect",
    );
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain("s3cr3t");
  });
});
