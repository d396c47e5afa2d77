/**
 * A small but realistic pipeline: raw orders are generated per region and day, cleaned and converted to
 * euros with exchange rates discovered at run time (a dynamic dependency), totalled per region while
 * holding the `warehouse` resource, and reported.
 *
 *   npx luigi --module examples/sales/pipeline.ts SalesReport --day 2026-11-20 --local-scheduler
 */
import { ExternalStep, LocalTarget, param, Step, WrapperStep } from "luigi-ts";

const OUT = process.env.SALES_OUT ?? "out/sales";
const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** Deterministic pseudo-random numbers, so the example gives the same data on every machine. */
function random(seed: string): () => number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

const CURRENCIES: Record<string, string[]> = { eu: ["EUR"], us: ["USD"], apac: ["JPY", "AUD", "USD"] };
const PRODUCTS = ["anvil", "rocket", "magnet", "spring", "tunnel-paint"];

/** Raw orders of one region and day, as an upstream system would drop them: CSV, some rows invalid. */
export class GenerateOrders extends Step.with({
  day: param.date({ description: "business day" }),
  region: param.str({ description: "sales region" }),
  orders: param.int({ default: 200, description: "how many orders to generate", significant: false }),
}) {
  output() {
    return new LocalTarget(`${OUT}/raw/${this.region}/${iso(this.day)}.csv`);
  }
  async run() {
    const next = random(`${this.region}/${iso(this.day)}`);
    const currencies = CURRENCIES[this.region] ?? ["EUR"];
    const rows = ["order_id,product,quantity,unit_price,currency"];
    for (let i = 0; i < this.orders; i++) {
      const product = PRODUCTS[Math.floor(next() * PRODUCTS.length)] ?? "anvil";
      const quantity = next() < 0.03 ? -1 : 1 + Math.floor(next() * 9); // a few broken rows on purpose
      const price = (5 + next() * 95).toFixed(2);
      const currency = currencies[Math.floor(next() * currencies.length)] ?? "EUR";
      rows.push(`${this.region}-${i},${product},${quantity},${price},${currency}`);
      if (i % 50 === 0) this.setProgressPercentage((100 * i) / this.orders);
    }
    await this.output().write(rows.join("\n") + "\n");
  }
}

/** Exchange rate of a currency to EUR on a day (here computed; in real life fetched from a bank). */
export class ExchangeRate extends Step.with({ day: param.date(), currency: param.str() }) {
  output() {
    return new LocalTarget(`${OUT}/rates/${iso(this.day)}/${this.currency}.txt`);
  }
  async run() {
    const base: Record<string, number> = { EUR: 1, USD: 0.92, JPY: 0.0061, AUD: 0.6 };
    const drift = 1 + (random(`${this.currency}/${iso(this.day)}`)() - 0.5) / 50;
    await this.output().write(String((base[this.currency] ?? 1) * drift));
  }
}

/**
 * Valid orders in euros. Which exchange rates are needed is only known once the raw file is read, so
 * they are yielded from run(): a dynamic dependency.
 */
export class CleanOrders extends Step.with({ day: param.date(), region: param.str() }) {
  requires() {
    return new GenerateOrders({ day: this.day, region: this.region });
  }
  output() {
    return new LocalTarget(`${OUT}/clean/${this.region}/${iso(this.day)}.csv`);
  }
  async *run() {
    const lines = (await this.input().read()).trim().split("\n").slice(1);
    const rows = lines.map((line) => line.split(","));
    const currencies = [...new Set(rows.map((r) => r[4] ?? "EUR"))].sort();
    this.setStatusMessage(`needs rates for ${currencies.join(", ")}`);
    const rateTargets = (yield currencies.map(
      (currency) => new ExchangeRate({ day: this.day, currency }),
    )) as LocalTarget[];
    const rates = new Map<string, number>();
    for (const [i, currency] of currencies.entries())
      rates.set(currency, Number(await rateTargets[i]?.read()));
    const out = ["order_id,product,quantity,amount_eur"];
    let dropped = 0;
    for (const [id, product, quantity, price, currency] of rows) {
      const q = Number(quantity);
      if (!(q > 0)) {
        dropped++;
        continue;
      }
      const amount = q * Number(price) * (rates.get(currency ?? "EUR") ?? 1);
      out.push(`${id},${product},${q},${amount.toFixed(2)}`);
    }
    this.setStatusMessage(`dropped ${dropped} invalid rows`);
    await this.output().write(out.join("\n") + "\n");
  }
}

/** Totals per product for one region. Holds the `warehouse` resource (capacity 1 unless configured). */
export class RegionTotals extends Step.with({ day: param.date(), region: param.str() }) {
  override resources = { warehouse: 1 };
  requires() {
    return new CleanOrders({ day: this.day, region: this.region });
  }
  output() {
    return new LocalTarget(`${OUT}/totals/${this.region}/${iso(this.day)}.json`);
  }
  async run() {
    const totals: Record<string, number> = {};
    for (const line of (await this.input().read()).trim().split("\n").slice(1)) {
      const [, product, , amount] = line.split(",");
      totals[product ?? "?"] = (totals[product ?? "?"] ?? 0) + Number(amount);
    }
    await this.output().write(JSON.stringify(totals, null, 2) + "\n");
  }
}

/** The report for one day across regions. */
export class SalesReport extends Step.with({
  day: param.date({ description: "business day to report on" }),
  regions: param.list({
    default: ["eu", "us", "apac"],
    description: "regions to include (JSON list)",
  }),
}) {
  override priority = 10;
  requires() {
    return Object.fromEntries(
      this.regions.map((region) => [region, new RegionTotals({ day: this.day, region })]),
    );
  }
  output() {
    return new LocalTarget(`${OUT}/report-${iso(this.day)}.md`);
  }
  async run() {
    const inputs = this.input();
    const lines = [`# Sales on ${iso(this.day)}`, "", "| region | product | EUR |", "|---|---|---:|"];
    let grand = 0;
    for (const [region, target] of Object.entries(inputs)) {
      const totals = JSON.parse(await target.read()) as Record<string, number>;
      for (const [product, amount] of Object.entries(totals).sort()) {
        lines.push(`| ${region} | ${product} | ${amount.toFixed(2)} |`);
        grand += amount;
      }
    }
    lines.push("", `Total: ${grand.toFixed(2)} EUR`);
    await this.output().write(lines.join("\n") + "\n");
  }
}

/** Reports for several days at once. */
export class SalesReports extends WrapperStep.with({ days: param.list({ default: [] as string[] }) }) {
  requires() {
    return this.days.map((d) => new SalesReport({ day: new Date(`${d}T00:00:00Z`) }));
  }
}

/** A file that another team drops; never produced here, only waited for. */
export class PartnerFeed extends ExternalStep.with({ day: param.date() }) {
  output() {
    return new LocalTarget(`${OUT}/partner/${iso(this.day)}.csv`);
  }
}
