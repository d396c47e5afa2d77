import { HOUR_MS, strftime } from "../../step/params/calendar.js";
import { param } from "../../step/params/index.js";
import { FixedGridRange } from "./fixed-grid.js";
import { movingWindow, rangeBounds } from "./range-base.js";

const HOURS = { name: "hours", ms: HOUR_MS };

/**
 * The missing whole hours of a family with a `param.dateHour()` parameter, one complete() each
 * (Luigi's RangeHourlyBase). RangeHourly checks them in bulk.
 */
export class RangeHourlyBase extends FixedGridRange.with({
  ...rangeBounds(param.dateHour, "hour"),
  ...movingWindow("hours", 100 * 24),
}) {
  protected get parameterKinds(): readonly string[] {
    return ["dateHour"];
  }
  protected get unit() {
    return HOURS;
  }
  formatDatetime(datetime: Date): string {
    return strftime(datetime, "%Y-%m-%dT%H");
  }
}

/** The missing hours of a family, checked in bulk as RangeDaily checks days (Luigi's RangeHourly). */
export class RangeHourly extends RangeHourlyBase {
  override missingDatetimes(datetimes: readonly Date[]): Promise<Date[]> {
    return this.missingInBulk(datetimes);
  }
}
