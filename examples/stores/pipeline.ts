/**
 * The sales example's cleaned orders of a day loaded into PostgreSQL (one transaction per region, with
 * Luigi's marker row), archived as one CSV object in S3 once loaded, then the day marked in Redis for
 * the dashboards. Needs `[postgres] url` (or the PG* variables), `[redis] url` (or REDIS_URL) and `[s3]`
 * (or the AWS_* variables); run it twice and the second run does nothing.
 *
 *   npx luigi --module examples/stores/pipeline.ts PublishDay --day 2026-11-20 --local-scheduler
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { param, Step } from "luigi-ts";
import { CopyToTable } from "luigi-ts/postgres";
import { RedisTarget } from "luigi-ts/redis";
import { S3Target } from "luigi-ts/s3";
import { CleanOrders } from "../sales/pipeline.js";

const REGIONS = ["eu", "us", "apac"];
const SCHEMA = process.env.SALES_SCHEMA ?? "public";
const BUCKET = process.env.SALES_BUCKET ?? "sales-archive";
const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** One region's clean orders of a day into the `orders` table (created on the first load). */
export class LoadOrders extends CopyToTable.with({ day: param.date(), region: param.str() }) {
  table = `${SCHEMA}.orders`;
  override markerTable = `${SCHEMA}.table_updates`;
  columns = [
    ["day", "DATE"],
    ["region", "TEXT"],
    ["order_id", "TEXT"],
    ["product", "TEXT"],
    ["quantity", "INTEGER"],
    ["amount_eur", "NUMERIC(12,2)"],
  ] as const;
  requires() {
    return new CleanOrders({ day: this.day, region: this.region });
  }
  async *rows() {
    const lines = (await this.input().read()).trim().split("\n").slice(1);
    for (const line of lines) {
      const [orderId, product, quantity, amount] = line.split(",");
      yield [this.day, this.region, orderId, product, Number(quantity), amount];
    }
  }
}

/**
 * The day's orders of every region, once loaded, as one CSV object `s3://<bucket>/sales/<day>.csv`,
 * streamed: the object appears only when the whole upload has completed.
 */
export class ArchiveDay extends Step.with({ day: param.date({ description: "business day" }) }) {
  requires() {
    return REGIONS.map((region) => new LoadOrders({ day: this.day, region }));
  }
  output() {
    return new S3Target(`s3://${BUCKET}/sales/${iso(this.day)}.csv`, { contentType: "text/csv" });
  }
  async run() {
    const day = this.day;
    async function* lines() {
      yield "day,region,order_id,product,quantity,amount_eur\n";
      for (const region of REGIONS) {
        const clean = await new CleanOrders({ day, region }).output().read();
        for (const row of clean.trim().split("\n").slice(1)) yield `${iso(day)},${region},${row}\n`;
      }
    }
    await pipeline(Readable.from(lines()), this.output().openWrite());
  }
}

/** The day is in the warehouse and archived: a marker in Redis that the dashboards watch, kept for 30 days. */
export class PublishDay extends Step.with({ day: param.date({ description: "business day" }) }) {
  requires() {
    return [
      ...REGIONS.map((region) => new LoadOrders({ day: this.day, region })),
      new ArchiveDay({ day: this.day }),
    ];
  }
  output() {
    const prefix = process.env.SALES_REDIS_PREFIX ?? "sales";
    return new RedisTarget({ updateId: `orders-${iso(this.day)}`, markerPrefix: prefix, expire: 30 * 86400 });
  }
  async run() {
    await this.output().touch();
  }
}
