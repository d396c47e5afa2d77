/**
 * The range steps against Luigi itself: fixtures/range-reference.json records, for each case, what
 * Luigi 3.8.1's range steps compute (fixtures/make-range-reference.py): the step id and repr, the
 * instances required, and the range events. Both the one-by-one forms (RangeDailyBase, ...) and the bulk
 * ones (RangeDaily, ...) must give the same.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  param,
  RangeByMinutes,
  RangeByMinutesBase,
  RangeDaily,
  RangeDailyBase,
  RangeEvent,
  RangeHourly,
  RangeHourlyBase,
  RangeMonthly,
  Step,
  type RangeBase,
} from "../../src/index.js";

interface Case {
  name: string;
  range: string;
  of: string;
  params: Record<string, string>;
  nowSeconds: number;
  missingEvery: number;
  missingOffset: number;
  id: string;
  repr: string;
  required: string[];
  events: [keyof typeof RangeEvent, string, number][];
}

const cases = JSON.parse(
  readFileSync(new URL("./fixtures/range-reference.json", import.meta.url), "utf8"),
) as Case[];

const rule = { every: 0, offset: 0 };
const UNIT_MS = { day: 86_400_000, hour: 3_600_000, minute: 60_000 } as const;
const monthNumber = (d: Date): number => (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
const isComplete = (n: number): boolean => rule.every === 0 || n % rule.every !== rule.offset;

class Daily extends Step.with({ d: param.date(), region: param.str({ default: "eu" }) }) {
  override async complete() {
    return isComplete(Math.floor(this.d.getTime() / UNIT_MS.day));
  }
}
class RegionDaily extends Step.with({ region: param.str(), d: param.date() }) {
  override async complete() {
    return isComplete(Math.floor(this.d.getTime() / UNIT_MS.day));
  }
}
class Hourly extends Step.with({ dh: param.dateHour() }) {
  override async complete() {
    return isComplete(Math.floor(this.dh.getTime() / UNIT_MS.hour));
  }
}
class Minutely extends Step.with({ dm: param.dateMinute() }) {
  override async complete() {
    return isComplete(Math.floor(this.dm.getTime() / UNIT_MS.minute));
  }
}
class Monthly extends Step.with({ m: param.month() }) {
  override async complete() {
    return isComplete(monthNumber(this.m));
  }
}
const families: Record<string, typeof Step> = { Daily, RegionDaily, Hourly, Minutely, Monthly };

type RangeClass =
  typeof RangeDailyBase | typeof RangeHourlyBase | typeof RangeByMinutesBase | typeof RangeMonthly;
/** Luigi's one-by-one form and luigi-ts's bulk form of each range. */
const forms: Record<string, RangeClass[]> = {
  RangeDailyBase: [RangeDailyBase, RangeDaily],
  RangeHourlyBase: [RangeHourlyBase, RangeHourly],
  RangeByMinutesBase: [RangeByMinutesBase, RangeByMinutes],
  RangeMonthly: [RangeMonthly],
};

/** A range step built as `luigi` builds the root step: each parameter parsed from its text. */
function rangeStep(cls: RangeClass, c: Case): RangeBase {
  const args: Record<string, unknown> = { of: families[c.of], now: c.nowSeconds };
  for (const [name, text] of Object.entries(c.params)) {
    const kind = cls.schema[name as keyof typeof cls.schema];
    if (!kind) throw new Error(`${cls.family} has no parameter ${name}`);
    args[name] = kind.parse(text, name, cls.family);
  }
  return new (cls as unknown as new (a: Record<string, unknown>) => RangeBase)(args);
}

const fired: [string, string, number][] = [];
const removers = (["DELAY", "COMPLETE_COUNT", "COMPLETE_FRACTION"] as const).map((name) =>
  Step.on(RangeEvent[name], (_step, family, value) => void fired.push([name, family, value])),
);
afterAll(() => removers.forEach((remove) => remove()));

describe("range steps compute what Luigi computes", () => {
  for (const c of cases) {
    for (const cls of forms[c.range] ?? []) {
      it(`${c.name} (${cls.family})`, async () => {
        rule.every = c.missingEvery;
        rule.offset = c.missingOffset;
        const step = rangeStep(cls, c);
        // The bulk forms have another family, hence another id; the rest of the id is Luigi's.
        expect(step.id).toBe(c.id.replace(c.range, cls.family));
        expect(step.toString()).toBe(c.repr.replace(c.range, cls.family));
        fired.length = 0;
        const complete = await step.complete();
        expect(step.requires().map(String)).toEqual(c.required);
        expect(complete).toBe(c.required.length === 0);
        expect(fired).toEqual(c.events);
      });
    }
  }
});

describe("range step ids without now", () => {
  class DailyReport extends Step.with({ day: param.date() }) {}

  it("are Luigi's, None for every unset parameter", () => {
    // From Luigi 3.8.1: RangeDaily(of=DailyReport, start=date(2026, 1, 1)).task_id, and RangeMonthly's.
    expect(new RangeDaily({ of: DailyReport, start: new Date("2026-01-01") }).id).toBe(
      "RangeDaily_100_0_None_05e3ca9e26",
    );
    const monthly = new RangeMonthly({
      of: DailyReport,
      start: new Date("2026-01-01"),
      stop: new Date("2026-05-01"),
    });
    expect(monthly.id).toBe("RangeMonthly_13_0_None_0300b6d8d5");
    expect(monthly.toString()).toBe(
      "RangeMonthly(of=DailyReport, of_params={}, reverse=False, task_limit=50, now=None, param_name=None, start=2026-01, stop=2026-05, months_back=13, months_forward=0)",
    );
  });

  it("parse back from the wire, None included", () => {
    new DailyReport({ day: new Date("2026-01-01") }); // registers the family, as loading a module does
    const step = new RangeDaily({ of: DailyReport, start: new Date("2026-01-01") });
    const { params } = step.wireParams();
    expect(params).toMatchObject({ stop: "None", now: "None", param_name: "None", of: "DailyReport" });
    const args: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(RangeDaily.schema)) {
      args[name] = kind.parse(params[name] as string, name, "RangeDaily");
    }
    expect(new RangeDaily(args as never)).toBe(step);
  });
});
