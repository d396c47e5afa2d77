/**
 * The sales example's cleaned orders of a day loaded into PostgreSQL (one transaction per region, with
 * Luigi's marker row), then the day marked in Redis for the dashboards. Needs `[postgres] url` (or the
 * PG* variables) and `[redis] url` (or REDIS_URL); run it twice and the second run does nothing.
 *
 *   npx luigi --module examples/stores/pipeline.ts PublishDay --day 2026-11-20 --local-scheduler
 */
import { param, Step } from "luigi-ts";
import { CopyToTable } from "luigi-ts/postgres";
import { RedisTarget } from "luigi-ts/redis";
import { CleanOrders } from "../sales/pipeline.js";

const REGIONS = ["eu", "us", "apac"];
const SCHEMA = process.env.SALES_SCHEMA ?? "public";
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

/** The day is in the warehouse: a marker in Redis that the dashboards watch, kept for 30 days. */
export class PublishDay extends Step.with({ day: param.date({ description: "business day" }) }) {
  requires() {
    return REGIONS.map((region) => new LoadOrders({ day: this.day, region }));
  }
  output() {
    const prefix = process.env.SALES_REDIS_PREFIX ?? "sales";
    return new RedisTarget({ updateId: `orders-${iso(this.day)}`, markerPrefix: prefix, expire: 30 * 86400 });
  }
  async run() {
    await this.output().touch();
  }
}
