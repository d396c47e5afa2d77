// The README's stores example (examples/stores/pipeline.ts) through `luigi`, against the PostgreSQL
// and Redis of LUIGI_TEST_POSTGRES_URL / LUIGI_TEST_REDIS_URL (skipped without both) and an
// S3-compatible server (S3rver) that the test starts.
import { writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeS3Connections, S3FileSystem } from "../../src/contrib/s3/index.js";
import { collect, ROOT, startLuigi, workdir } from "../helpers/cli.js";
import { S3RVER_KEY_ID, S3RVER_SECRET, startS3Server, type S3TestServer } from "../helpers/s3-server.js";

const PG_URL = process.env.LUIGI_TEST_POSTGRES_URL ?? "";
const REDIS_URL = process.env.LUIGI_TEST_REDIS_URL ?? "";
const SCHEMA = `luigi_ex_${process.pid}_${Date.now().toString(36)}`;

let admin: pg.Client;
let redis: ReturnType<typeof createClient>;
let s3: S3TestServer;
const BUCKET = "sales-archive";

describe.skipIf(PG_URL === "" || REDIS_URL === "")("the stores example", () => {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
    s3 = await startS3Server([BUCKET]);
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin?.end();
    await redis?.del(`${SCHEMA}:orders-2026-11-20`);
    await redis?.close();
    closeS3Connections();
    await s3?.close();
  });

  it("loads a day into PostgreSQL, archives it to S3, marks it in Redis; a rerun does nothing", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(
      cfg,
      `[postgres]\nurl = ${PG_URL}\n[redis]\nurl = ${REDIS_URL}\n` +
        `[s3]\nendpoint_url = ${s3.endpoint}\naccess_key_id = ${S3RVER_KEY_ID}\n` +
        `secret_access_key = ${S3RVER_SECRET}\nforce_path_style = true\n`,
    );
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
      SALES_BUCKET: BUCKET,
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
    const fs = new S3FileSystem({
      endpointUrl: s3.endpoint,
      accessKeyId: S3RVER_KEY_ID,
      secretAccessKey: S3RVER_SECRET,
      forcePathStyle: true,
    });
    const archived = (await fs.get(`s3://${BUCKET}/sales/2026-11-20.csv`)).toString().trim().split("\n");
    expect(archived[0]).toBe("day,region,order_id,product,quantity,amount_eur");
    expect(archived).toHaveLength(total + 1);
    expect(new Set(archived.slice(1).map((line) => line.split(",")[1]))).toEqual(
      new Set(["eu", "us", "apac"]),
    );

    const again = await collect(startLuigi([...args, "--local-scheduler"], { cwd: w.dir, env }));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 complete ones were encountered");
    expect(again.stdout).not.toContain("ran successfully");
    expect(await fs.listdir(`s3://${BUCKET}/sales`)).toEqual([`s3://${BUCKET}/sales/2026-11-20.csv`]);
    expect(
      Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.orders`)).rows[0]?.n),
    ).toBe(total);
  });
});
