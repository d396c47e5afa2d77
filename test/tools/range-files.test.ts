/**
 * Range steps over real files: which instances are required, how the outputs were looked at (one
 * directory listing per folder, or the family's bulkComplete), and what build() then runs.
 */
import fs, { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  build,
  LocalTarget,
  param,
  ParameterError,
  RangeByMinutes,
  RangeDaily,
  RangeDailyBase,
  RangeEvent,
  RangeHourly,
  RangeMonthly,
  Step,
  StepDefinitionError,
  WrapperStep,
} from "../../src/index.js";

const DAY_MS = 86_400_000;
const DAY = param.date();
const seconds = (d: Date): number => d.getTime() / 1000;

/** A folder for one test, and the instances that ran in it. */
const ran: string[] = [];
let out = "";
function freshDir(): string {
  out = mkdtempSync(path.join(tmpdir(), "luigi-ts-range-"));
  ran.length = 0;
  return out;
}

class DayFile extends Step.with({ day: param.date() }) {
  output() {
    return new LocalTarget(path.join(out, "daily", `${DAY.serialize(this.day)}.csv`));
  }
  async run() {
    ran.push(DAY.serialize(this.day));
    await this.output().write("x\n");
  }
}

class HourFile extends Step.with({ hour: param.dateHour() }) {
  output() {
    const text = param.dateHour().serialize(this.hour);
    return new LocalTarget(path.join(out, "hourly", text.slice(0, 10), `${text.slice(11)}.csv`));
  }
}

class MinuteFile extends Step.with({ at: param.dateMinute() }) {
  output() {
    return new LocalTarget(path.join(out, "minutes", `${param.dateMinute().serialize(this.at)}.csv`));
  }
}

class MonthFile extends Step.with({ month: param.month() }) {
  output() {
    return new LocalTarget(path.join(out, "monthly", `${param.month().serialize(this.month)}.csv`));
  }
}

/** Its completeness lives elsewhere (a table, say): answered for all dates at once. */
const table = new Set<string>();
const bulkCalls: number[] = [];
let completeCalls = 0;
class TableDay extends Step.with({ day: param.date(), table: param.str({ default: "sales" }) }) {
  static override async bulkComplete(steps: readonly TableDay[]): Promise<TableDay[]> {
    bulkCalls.push(steps.length);
    return steps.filter((s) => table.has(`${s.table}/${DAY.serialize(s.day)}`));
  }
  override async complete(): Promise<boolean> {
    completeCalls++;
    return table.has(`${this.table}/${DAY.serialize(this.day)}`);
  }
}

function touch(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "");
}

function days(from: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(from.getTime() + i * DAY_MS));
}

/** Counts directory listings (the range check reads through fs.promises). */
function countListings(): { dirs: string[]; restore: () => void } {
  const dirs: string[] = [];
  const original = fs.promises.readdir;
  const spy = vi.spyOn(fs.promises, "readdir").mockImplementation(((dir: fs.PathLike, options: never) => {
    dirs.push(String(dir));
    return original(dir, options);
  }) as typeof fs.promises.readdir);
  return { dirs, restore: () => spy.mockRestore() };
}

afterEach(() => {
  vi.restoreAllMocks();
  // Each test has its own folder: equal range steps must look at it afresh.
  for (const cls of [RangeDaily, RangeDailyBase, RangeHourly, RangeByMinutes, RangeMonthly])
    cls.clearInstanceCache();
  if (out) rmSync(out, { recursive: true, force: true });
});

const START = new Date(Date.UTC(2016, 11, 3));
const TEN_YEARS = days(START, 3650);
const STOP = new Date(START.getTime() + 3650 * DAY_MS);
/** RangeDaily over the ten years, all of them checked (days_back covers them). */
function tenYearRange(more: { task_limit?: number } = {}): RangeDaily {
  return new RangeDaily({
    of: DayFile,
    start: START,
    stop: STOP,
    now: seconds(STOP),
    days_back: 4000,
    ...more,
  });
}

describe("a ten-year daily range", () => {
  it("requires exactly the missing days, oldest first, found with one directory listing", async () => {
    freshDir();
    TEN_YEARS.forEach((day, i) => {
      if (i % 2 === 0) touch(path.join(out, "daily", `${DAY.serialize(day)}.csv`));
    });
    const missing = TEN_YEARS.filter((_, i) => i % 2 === 1).map((d) => DAY.serialize(d));
    const listings = countListings();
    const range = tenYearRange();
    expect(await range.complete()).toBe(false);
    listings.restore();
    expect(listings.dirs).toEqual([path.join(out, "daily")]);
    expect(range.requires().map((s) => DAY.serialize((s as DayFile).day))).toEqual(missing.slice(0, 50));

    const all = tenYearRange({ task_limit: 5000 });
    await all.complete();
    expect(all.requires().map((s) => DAY.serialize((s as DayFile).day))).toEqual(missing);
  });

  it("checks only days_back days unless days_back is raised, as Luigi does", async () => {
    freshDir();
    const range = new RangeDaily({
      of: DayFile,
      start: START,
      stop: STOP,
      now: seconds(STOP),
      task_limit: 500,
    });
    await range.complete();
    const required = range.requires().map((s) => DAY.serialize((s as DayFile).day));
    expect(required).toHaveLength(100);
    expect(required[0]).toBe(DAY.serialize(new Date(STOP.getTime() - 100 * DAY_MS)));
  });

  it("asks the family's bulkComplete once for every day, and no complete()", async () => {
    freshDir();
    table.clear();
    bulkCalls.length = 0;
    completeCalls = 0;
    TEN_YEARS.forEach((day, i) => {
      if (i % 3 !== 0) table.add(`eu/${DAY.serialize(day)}`);
    });
    const range = new RangeDaily({
      of: TableDay,
      of_params: { table: "eu" },
      start: START,
      stop: STOP,
      now: seconds(STOP),
      days_back: 4000,
      reverse: true,
      task_limit: 3,
    });
    expect(await range.complete()).toBe(false);
    expect(bulkCalls).toEqual([3650]);
    expect(completeCalls).toBe(0);
    // The newest missing days, newest first.
    const newest = TEN_YEARS.filter((_, i) => i % 3 === 0)
      .slice(-3)
      .reverse();
    expect(range.requires()).toEqual(newest.map((day) => new TableDay({ day, table: "eu" })));
  });

  it("fires the range events with the family and Luigi's numbers", async () => {
    freshDir();
    TEN_YEARS.slice(0, 3000).forEach((day) => touch(path.join(out, "daily", `${DAY.serialize(day)}.csv`)));
    const events: [string, unknown[]][] = [];
    const off = Object.values(RangeEvent).map((name) =>
      RangeDaily.on(name, (step, ...args) => void events.push([name, [step.family, ...args]])),
    );
    try {
      const range = tenYearRange();
      await range.complete();
    } finally {
      off.forEach((remove) => remove());
    }
    expect(events).toEqual([
      [RangeEvent.DELAY, ["RangeDaily", "DayFile", 650]],
      [RangeEvent.COMPLETE_COUNT, ["RangeDaily", "DayFile", 3000]],
      [RangeEvent.COMPLETE_FRACTION, ["RangeDaily", "DayFile", 3000 / 3650]],
    ]);
  });
});

describe("build() of a range step", () => {
  it("runs exactly the missing instances, task_limit at a time, and is complete once those are", async () => {
    freshDir();
    const window = days(new Date(Date.UTC(2026, 10, 1)), 20);
    window.forEach((day, i) => {
      if (i % 4 === 0) touch(path.join(out, "daily", `${DAY.serialize(day)}.csv`));
    });
    const missing = window.filter((_, i) => i % 4 !== 0).map((d) => DAY.serialize(d));
    const args = {
      of: DayFile,
      start: window[0] as Date,
      stop: new Date(Date.UTC(2026, 10, 21)),
      task_limit: 10,
    };
    const at = (day: number) => ({ ...args, now: seconds(new Date(Date.UTC(2026, 10, day))) });
    const first = await build([new RangeDaily(at(25))], { localScheduler: true, checkCompleteOnRun: true });
    expect(first.status).toBe("SUCCESS");
    expect(ran).toEqual(missing.slice(0, 10));

    // The same step is the same instance, which looked once (as Luigi's does): complete now.
    ran.length = 0;
    const again = await build([new RangeDaily(at(25))], { localScheduler: true });
    expect(ran).toEqual([]);
    expect(again.categories.already_done).toEqual([expect.stringMatching(/^RangeDaily\(of=DayFile/)]);

    // Another `now` is another step, which looks again: the next ten.
    const second = await build([new RangeDaily(at(26))], { localScheduler: true });
    expect(second.status).toBe("SUCCESS");
    expect(ran).toEqual(missing.slice(10));

    ran.length = 0;
    RangeDaily.clearInstanceCache();
    const third = await build([new RangeDaily(at(25))], { localScheduler: true });
    expect(ran).toEqual([]);
    expect(third.categories.already_done).toHaveLength(1);
    expect(readdirSync(path.join(out, "daily"))).toHaveLength(20);
  });

  it("is complete for a step that requires it and checks it again before running", async () => {
    freshDir();
    const range = {
      of: DayFile,
      start: new Date(Date.UTC(2026, 10, 1)),
      stop: new Date(Date.UTC(2026, 10, 9)),
      now: seconds(new Date(Date.UTC(2026, 10, 20))),
      task_limit: 3,
    };
    class Nightly extends WrapperStep.with({ label: param.str({ default: "nightly" }) }) {
      override requires() {
        return [new RangeDaily(range)];
      }
    }
    const summary = await build([new Nightly()], { localScheduler: true, checkUnfulfilledDeps: true });
    expect(summary.status).toBe("SUCCESS");
    expect(ran).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
  });
});

describe("hourly, minute and monthly ranges over files", () => {
  it("lists one folder a day for an hourly range", async () => {
    freshDir();
    const start = new Date(Date.UTC(2026, 10, 23, 18));
    const hours = Array.from({ length: 36 }, (_, i) => new Date(start.getTime() + i * 3_600_000));
    const format = (d: Date): string => param.dateHour().serialize(d);
    hours.forEach((hour, i) => {
      const text = format(hour);
      if (i % 5 !== 2) touch(path.join(out, "hourly", text.slice(0, 10), `${text.slice(11)}.csv`));
    });
    const listings = countListings();
    const range = new RangeHourly({
      of: HourFile,
      start,
      stop: new Date(start.getTime() + 36 * 3_600_000),
      now: seconds(new Date(Date.UTC(2026, 10, 26))),
    });
    await range.complete();
    listings.restore();
    expect(listings.dirs.sort()).toEqual(
      ["2026-11-23", "2026-11-24", "2026-11-25"].map((d) => path.join(out, "hourly", d)),
    );
    expect(range.requires().map((s) => format((s as HourFile).hour))).toEqual(
      hours.filter((_, i) => i % 5 === 2).map(format),
    );
  });

  it("steps minutes_interval minutes from each whole hour", async () => {
    freshDir();
    const format = (d: Date): string => param.dateMinute().serialize(d);
    touch(path.join(out, "minutes", "2026-11-25T0015.csv"));
    touch(path.join(out, "minutes", "2026-11-25T0100.csv"));
    const range = new RangeByMinutes({
      of: MinuteFile,
      start: new Date(Date.UTC(2026, 10, 25, 0, 7)),
      stop: new Date(Date.UTC(2026, 10, 25, 1, 31)),
      minutes_interval: 15,
      now: seconds(new Date(Date.UTC(2026, 10, 25, 2))),
    });
    await range.complete();
    expect(range.requires().map((s) => format((s as MinuteFile).at))).toEqual([
      "2026-11-25T0030",
      "2026-11-25T0045",
      "2026-11-25T0115",
      "2026-11-25T0130",
    ]);
  });

  it("covers months up to the current one (excluded) with months_back", async () => {
    freshDir();
    touch(path.join(out, "monthly", "2026-09.csv"));
    const range = new RangeMonthly({
      of: MonthFile,
      start: new Date(Date.UTC(2025, 0, 1)),
      months_back: 4,
      now: seconds(new Date(Date.UTC(2026, 10, 25))),
    });
    await range.complete();
    expect(range.requires().map((s) => param.month().serialize((s as MonthFile).month))).toEqual([
      "2026-07",
      "2026-08",
      "2026-10",
    ]);
  });
});

describe("range step errors", () => {
  const now = seconds(new Date(Date.UTC(2026, 10, 25)));

  async function refusal(step: { complete(): Promise<boolean> }): Promise<string> {
    const err = await step.complete().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParameterError);
    return (err as Error).message;
  }

  it("refuses a window without start and stop, without start and reverse, and start after stop", async () => {
    expect(await refusal(new RangeDaily({ of: DayFile, now }))).toMatch(
      /^RangeDaily\(of=DayFile, .*\): at least one of start and stop needs to be given$/,
    );
    expect(await refusal(new RangeDaily({ of: DayFile, stop: new Date(Date.UTC(2026, 0, 1)), now }))).toMatch(
      /without start, reverse needs to be true$/,
    );
    expect(
      await refusal(
        new RangeDaily({
          of: DayFile,
          start: new Date(Date.UTC(2026, 1, 1)),
          stop: new Date(Date.UTC(2026, 0, 1)),
        }),
      ),
    ).toMatch(/start is after stop$/);
    expect(
      await refusal(new RangeDaily({ of: DayFile, start: new Date(Date.UTC(2026, 1, 1)), task_limit: -1 })),
    ).toMatch(/task_limit must be 0 or more, not -1$/);
  });

  it("names the family's parameters when none has the range's kind or param_name is wrong", async () => {
    expect(
      await refusal(new RangeHourly({ of: DayFile, start: new Date(Date.UTC(2026, 1, 1)), now })),
    ).toMatch(
      /DayFile has no dateHour parameter to range over \(it has day \(date\)\); name one with param_name$/,
    );
    expect(
      await refusal(
        new RangeDaily({ of: DayFile, start: new Date(Date.UTC(2026, 1, 1)), param_name: "date", now }),
      ),
    ).toMatch(/param_name 'date' is not a parameter of DayFile \(it has day \(date\)\)$/);
  });

  it("refuses a minutes_interval that does not divide an hour, and a window too long to hold", async () => {
    const start = new Date(Date.UTC(2026, 10, 24));
    expect(await refusal(new RangeByMinutes({ of: MinuteFile, start, minutes_interval: 7, now }))).toMatch(
      /minutes_interval 7 does not divide 60 evenly$/,
    );
    expect(await refusal(new RangeByMinutes({ of: MinuteFile, start, minutes_interval: 60, now }))).toMatch(
      /minutes_interval must be within 1..59, not 60$/,
    );
    expect(
      await refusal(
        new RangeByMinutes({ of: MinuteFile, start: new Date(Date.UTC(2000, 0, 1)), minutes_back: 1e7, now }),
      ),
    ).toMatch(
      /holds \d+ instants, more than 2000000; narrow start, stop or the X_back\/X_forward parameters$/,
    );
  });

  it("says requires() needs complete() first", () => {
    const range = new RangeDailyBase({ of: DayFile, start: new Date(Date.UTC(2020, 0, 1)), now: 12345 });
    expect(() => range.requires()).toThrow(StepDefinitionError);
    expect(() => range.requires()).toThrow(/await complete\(\) before requires\(\)$/);
  });
});
