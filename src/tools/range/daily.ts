import { DAY_MS, strftime } from "../../step/params/calendar.js";
import { param } from "../../step/params/index.js";
import { FixedGridRange } from "./fixed-grid.js";
import { movingWindow, rangeBounds } from "./range-base.js";

const DAYS = { name: "days", ms: DAY_MS };

/**
 * The missing days (every UTC midnight) of a family with a `param.date()` parameter, each instance
 * checked by its own complete() (Luigi's RangeDailyBase). RangeDaily checks them in bulk.
 */
export class RangeDailyBase extends FixedGridRange.with({
  ...rangeBounds(param.date, "day"),
  ...movingWindow("days", 100),
}) {
  protected get parameterKinds(): readonly string[] {
    return ["date"];
  }
  protected get unit() {
    return DAYS;
  }
  formatDatetime(datetime: Date): string {
    return strftime(datetime, "%Y-%m-%d");
  }
}

/**
 * The missing days of a family, checked in bulk: the family's `bulkComplete` when it has one, else
 * one directory listing per folder of LocalTarget outputs, else each complete() (Luigi's RangeDaily):
 * `luigi --module ./m.ts RangeDaily --of Report --start 2026-11-01`.
 */
export class RangeDaily extends RangeDailyBase {
  override missingDatetimes(datetimes: readonly Date[]): Promise<Date[]> {
    return this.missingInBulk(datetimes);
  }
}
