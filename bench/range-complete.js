// The missing set of a ten-year daily range (3,650 days, every other day's file on disk, one folder):
// RangeDaily (one directory listing) against RangeDailyBase (one complete(), hence one stat, per day).
// Each round builds both afresh, alternating which goes first; prints the medians of ROUNDS (5) rounds,
// then one JSON line. Usage: npm run build && node bench/range-complete.js [days]
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LocalTarget, LuigiConfig, param, RangeDaily, RangeDailyBase, setActiveConfig, Step } from "luigi-ts";
import { tempDir } from "./lib.js";

const days = Number(process.argv[2] ?? "3650");
const rounds = Number(process.env.BENCH_ROUNDS ?? "5");
setActiveConfig(LuigiConfig.fromString("", "cfg"));

const DAY_MS = 86_400_000;
const DAY = param.date();
const dir = path.join(tempDir("luigi-ts-bench-range-"), "daily");
mkdirSync(dir, { recursive: true });

class Report extends Step.with({ day: param.date() }) {
  output() {
    return new LocalTarget(path.join(dir, `report-${DAY.serialize(this.day)}.csv`));
  }
}

const start = new Date(Date.UTC(2016, 11, 3));
const stop = new Date(start.getTime() + days * DAY_MS);
for (let i = 0; i < days; i += 2) {
  writeFileSync(path.join(dir, `report-${DAY.serialize(new Date(start.getTime() + i * DAY_MS))}.csv`), "");
}

/** Seconds from constructing the range step to knowing its missing days, with nothing cached. */
async function timeOnce(cls) {
  cls.clearInstanceCache();
  Report.clearInstanceCache();
  const began = performance.now();
  const range = new cls({
    of: Report,
    start,
    stop,
    now: stop.getTime() / 1000,
    days_back: days + 1,
    task_limit: days,
  });
  await range.complete();
  const seconds = (performance.now() - began) / 1000;
  const missing = range.requires().length;
  if (missing !== Math.floor(days / 2)) throw new Error(`${cls.family} found ${missing} missing days`);
  return seconds;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

await timeOnce(RangeDaily); // warm-up: module code compiled, files in the page cache
await timeOnce(RangeDailyBase);
const bulk = [];
const each = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    bulk.push(await timeOnce(RangeDaily));
    each.push(await timeOnce(RangeDailyBase));
  } else {
    each.push(await timeOnce(RangeDailyBase));
    bulk.push(await timeOnce(RangeDaily));
  }
}
const result = {
  days,
  missing: Math.floor(days / 2),
  bulkSeconds: Number(median(bulk).toFixed(4)),
  eachSeconds: Number(median(each).toFixed(4)),
  ratioEachOverBulk: Number((median(each) / median(bulk)).toFixed(2)),
};
console.log(
  `Missing set of a daily range over ${days} days (${result.missing} missing), median of ${rounds}:`,
);
console.log(`  RangeDaily, one directory listing       ${(result.bulkSeconds * 1000).toFixed(1)} ms`);
console.log(`  RangeDailyBase, one complete() per day  ${(result.eachSeconds * 1000).toFixed(1)} ms`);
console.log(`  ratio (one by one / bulk)               ${result.ratioEachOverBulk}`);
console.log(JSON.stringify(result));
