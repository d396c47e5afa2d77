// luigi-ts/mysql against the real MariaDB/MySQL of LUIGI_TEST_MYSQL_URL (skipped without it). The file
// works in a database of its own, dropped at the end.
import { writeFileSync } from "node:fs";
import path from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, LuigiError, TargetError } from "../../src/errors.js";
import { build, completeInBulk, param } from "../../src/index.js";
import {
  closeMySqlConnections,
  CopyToTable,
  MySqlQuery,
  MySqlTarget,
} from "../../src/contrib/mysql/index.js";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";

const BASE = process.env.LUIGI_TEST_MYSQL_URL ?? "";
const DB = `luigi_my_${process.pid}_${Date.now().toString(36)}`;
const MARKERS = `${DB}.table_updates`;
function urlOf(database: string): string {
  const u = new URL(BASE);
  u.pathname = `/${database}`;
  return u.toString();
}
const URL_ = BASE === "" ? "" : urlOf(DB);

let admin: mysql.Connection;
async function count(sql: string, values: unknown[] = []): Promise<number> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM (${sql}) AS q`, values);
  return Number(rows[0]?.["n"]);
}
const tableExists = async (table: string): Promise<boolean> => {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
    [DB, table],
  );
  return rows.length > 0;
};

describe.skipIf(BASE === "")("luigi-ts/mysql", () => {
  beforeAll(async () => {
    admin = await mysql.createConnection({ uri: BASE, timezone: "Z" });
    await admin.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
  });
  afterAll(async () => {
    await closeMySqlConnections();
    await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin?.end();
  });

  class Load extends CopyToTable.with({
    day: param.date(),
    count: param.int(),
    failAt: param.int({ default: -1, significant: false }),
  }) {
    table = "loads";
    override connectionUrl = URL_;
    override batchSize = 1000;
    columns = [
      ["day", "DATE"],
      ["n", "INTEGER"],
      ["label", "VARCHAR(32)"],
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
    writeFileSync(cfg, `[mysql]\nurl = ${BASE}\n`);
    const args = [
      "--module",
      path.join(FIXTURES, "stores.ts"),
      "MyLoadSales",
      "--day",
      "2026-11-20",
      "--local-scheduler",
    ];
    const env = { LUIGI_CONFIG_PATH: cfg, SCHEMA: DB, LOG: w.log };
    const first = await collect(startLuigi(args, { cwd: w.dir, env }));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("1 ran successfully");
    expect(await count(`SELECT * FROM ${DB}.sales WHERE day = '2026-11-20'`)).toBe(3);
    const [markers] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT id, update_id, target_table, inserted FROM ${MARKERS}`,
    );
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({
      id: 1,
      update_id: "MyLoadSales_3_2026_11_20_f3a797bc6e",
      target_table: `${DB}.sales`,
    });
    expect(markers[0]?.["inserted"]).toBeInstanceOf(Date);

    const again = await collect(startLuigi(args, { cwd: w.dir, env }));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 complete ones were encountered");
    expect(w.runs()).toEqual(["MyLoadSales 2026-11-20"]);
    expect(await count(`SELECT * FROM ${DB}.sales`)).toBe(3);
  });

  it("rows() failing half-way (12 INSERTs of 1,000 rows already sent) leaves no rows nor marker; the retry loads all", async () => {
    const failing = new Load({ day, count: 20_000, failAt: 12_500 });
    const summary = await build([failing], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(Object.values(summary.errors).join()).toContain("the source broke at row 12500");
    expect(await count(`SELECT * FROM ${DB}.loads`)).toBe(0);
    expect(await count(`SELECT * FROM ${MARKERS} WHERE update_id = ?`, [failing.id])).toBe(0);
    expect(await failing.output().exists()).toBe(false);

    Load.clearInstanceCache();
    const retry = new Load({ day, count: 20_000 });
    expect(retry.id).toBe(failing.id);
    expect((await build([retry], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await count(`SELECT * FROM ${DB}.loads`)).toBe(20_000);
    const rerun = await build([retry], { localScheduler: true });
    expect(rerun.status).toBe("SUCCESS");
    expect(rerun.categories.already_done).toHaveLength(1);
    expect(await count(`SELECT * FROM ${DB}.loads`)).toBe(20_000);
  });

  it("two runs of one update at once, several rounds: one commits, the other rolls back (TARGET_EXISTS)", async () => {
    for (let round = 0; round < 4; round++) {
      const step = new Load({ day: new Date(Date.UTC(2027, 0, 1 + round)), count: 5000 });
      const outcomes = await Promise.allSettled([step.run(), step.run()]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const lost = outcomes.find((o) => o.status === "rejected");
      expect((lost as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.TARGET_EXISTS });
      expect(await count(`SELECT * FROM ${DB}.loads WHERE day = ?`, [step.day])).toBe(5000);
      expect(await step.output().exists()).toBe(true);
    }
  });

  it("loads of several updates into one new table at once, several rounds: every load lands, the table made once", async () => {
    for (let round = 0; round < 3; round++) {
      class Parallel extends CopyToTable.with({ part: param.int(), round: param.int() }) {
        table = `parallel_${round}`;
        override connectionUrl = URL_;
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
      expect(await count(`SELECT * FROM ${DB}.parallel_${round}`)).toBe(6000);
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
    expect(await MySqlTarget.existsInBulk(steps.map((s) => s.output()))).toEqual(expected);
    // A target class of one's own with its own exists() is asked through it.
    class Never extends MySqlTarget {
      override exists(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    const mixed = [
      ...steps.slice(0, 5).map((s) => s.output()),
      new Never({ table: "t", updateId: (steps[3] as Load).id }),
    ];
    expect(await MySqlTarget.existsInBulk(mixed)).toEqual([false, false, false, true, false, false]);
  });

  it("a row the server refuses in the 16th INSERT rolls the whole load back", async () => {
    await admin.query(`CREATE TABLE ${DB}.typed (n INTEGER NOT NULL) ENGINE=InnoDB`);
    class Typed extends CopyToTable {
      table = "typed";
      override connectionUrl = URL_;
      override batchSize = 1000;
      columns = ["n"];
      *rows() {
        for (let i = 0; i < 30_000; i++) yield [i === 15_000 ? null : i];
      }
    }
    const step = new Typed();
    const failure = await step.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toMatch(
      /cannot insert rows into typed: Column 'n' cannot be null/,
    );
    expect((failure as TargetError).details).toMatchObject({
      errorCode: "ER_BAD_NULL_ERROR",
      store: "mysql",
    });
    expect(await count(`SELECT * FROM ${DB}.typed`)).toBe(0);
    expect(await step.output().exists()).toBe(false);
  });

  it("values: quotes, backslashes, newlines, NULL, dates, bytes and JSON arrive as they were", async () => {
    class Odd extends CopyToTable {
      table = "odd";
      override connectionUrl = URL_;
      columns = [
        ["k", "INTEGER"],
        ["t", "TEXT"],
        ["maybe", "TEXT"],
        ["at", "DATETIME(3)"],
        ["bytes", "BLOB"],
        ["doc", "TEXT"],
      ] as const;
      rows() {
        return [
          [
            1,
            'it\'s "quoted"\\\n\t\u0000 ☃',
            null,
            new Date("2026-11-20T10:11:12.345Z"),
            Buffer.from([0, 1, 255]),
            { k: ["v", 1] },
          ],
          [2, "", undefined, new Date(0), Buffer.alloc(0), [1, 2]],
        ];
      }
    }
    await new Odd().run();
    const [back] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT t, maybe, at, bytes, doc FROM ${DB}.odd ORDER BY k`,
    );
    expect(back.map((r) => Object.values(r) as unknown[])).toEqual([
      [
        'it\'s "quoted"\\\n\t\u0000 ☃',
        null,
        new Date("2026-11-20T10:11:12.345Z"),
        Buffer.from([0, 1, 255]),
        '{"k":["v",1]}',
      ],
      ["", null, new Date(0), Buffer.alloc(0), "[1,2]"],
    ]);
  });

  it("MySqlQuery runs its statements and marks in one transaction; a failing one leaves nothing", async () => {
    await admin.query(`CREATE TABLE ${DB}.totals (day DATE, total INTEGER) ENGINE=InnoDB`);
    class Rollup extends MySqlQuery.with({ day: param.date(), broken: param.bool({ default: false }) }) {
      table = "totals";
      override connectionUrl = URL_;
      get query() {
        const insert = `INSERT INTO totals VALUES ('${this.day.toISOString().slice(0, 10)}', 42)`;
        return this.broken ? `${insert}; INSERT INTO no_such_table VALUES (1)` : insert;
      }
    }
    const broken = new Rollup({ day, broken: true });
    expect((await build([broken], { localScheduler: true })).status).toBe("FAILED");
    expect(await count(`SELECT * FROM ${DB}.totals`)).toBe(0);
    expect(await broken.output().exists()).toBe(false);

    const good = new Rollup({ day });
    expect((await build([good], { localScheduler: true })).status).toBe("SUCCESS");
    expect((await build([good], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await count(`SELECT * FROM ${DB}.totals`)).toBe(1);
  });

  it("MySqlTarget: no marker table is 'not done'; touch() marks once; errors mask the password", async () => {
    const markers = `${DB}.other_markers`;
    const target = new MySqlTarget({ table: "t", updateId: "u-1", url: URL_, markerTable: markers });
    expect(await target.exists()).toBe(false);
    expect(await tableExists("other_markers")).toBe(false);
    await target.touch();
    expect(await target.exists()).toBe(true);
    await expect(target.touch()).rejects.toMatchObject({ code: ErrorCode.TARGET_EXISTS });

    const secret = new MySqlTarget({ table: "t", updateId: "u", url: "mysql://luigi:s3cr3t@127.0.0.1:1/db" });
    const err = await secret.exists().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LuigiError);
    expect((err as Error).message).toContain("MySQL mysql://luigi:***@127.0.0.1:1/db: cannot connect");
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain("s3cr3t");
  });
});
