// The README's stores example (examples/stores/pipeline.ts) through `luigi`, against the PostgreSQL
// and Redis of LUIGI_TEST_POSTGRES_URL / LUIGI_TEST_REDIS_URL (skipped without both).
import { writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, ROOT, startLuigi, workdir } from "../helpers/cli.js";

const PG_URL = process.env.LUIGI_TEST_POSTGRES_URL ?? "";
const REDIS_URL = process.env.LUIGI_TEST_REDIS_URL ?? "";
const SCHEMA = `luigi_ex_${process.pid}_${Date.now().toString(36)}`;

let admin: pg.Client;
let redis: ReturnType<typeof createClient>;

describe.skipIf(PG_URL === "" || REDIS_URL === "")("the stores example", () => {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin?.end();
    await redis?.del(`${SCHEMA}:orders-2026-11-20`);
    await redis?.close();
  });

  it("loads a day into PostgreSQL, marks it in Redis; a rerun does nothing", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, `[postgres]\nurl = ${PG_URL}\n[redis]\nurl = ${REDIS_URL}\n`);
    const args = [
      "--module",
      path.join(ROOT, "examples/stores/pipeline.ts"),
      "PublishDay",
      "--day",
      "2026-11-20",
    ];
    const env = {
      LUIGI_CONFIG_PATH: cfg,
      SALES_OUT: w.out,
      SALES_SCHEMA: SCHEMA,
      SALES_REDIS_PREFIX: SCHEMA,
    };
    const first = await collect(
      startLuigi([...args, "--local-scheduler", "--workers", "3"], { cwd: w.dir, env }),
    );
    expect(first.code, first.stderr).toBe(0);
    const loaded = await admin.query<{ region: string; n: string }>(
      `SELECT region, count(*) AS n FROM ${SCHEMA}.orders GROUP BY region ORDER BY region`,
    );
    expect(loaded.rows.map((r) => r.region)).toEqual(["apac", "eu", "us"]);
    const markers = await admin.query(`SELECT update_id FROM ${SCHEMA}.table_updates`);
    expect(markers.rows).toHaveLength(3);
    expect(await redis.hGet(`${SCHEMA}:orders-2026-11-20`, "update_id")).toBe("orders-2026-11-20");
    const total = Number(
      (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.orders`)).rows[0]?.n,
    );

    const again = await collect(startLuigi([...args, "--local-scheduler"], { cwd: w.dir, env }));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 complete ones were encountered");
    expect(again.stdout).not.toContain("ran successfully");
    expect(
      Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.orders`)).rows[0]?.n),
    ).toBe(total);
  });
});
