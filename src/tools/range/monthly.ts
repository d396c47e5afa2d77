import { addMonths, strftime, utcDate } from "../../step/params/calendar.js";
import { param } from "../../step/params/index.js";
import { movingWindow, rangeBounds, RangeBase } from "./range-base.js";

/**
 * The missing months of a family with a `param.month()` (or `param.date()`) parameter, checked in bulk
 * as RangeDaily checks days. Luigi's RangeMonthly checks each month's complete() instead, and has no
 * Base form; the answers are the same.
 */
export class RangeMonthly extends RangeBase.with({
  ...rangeBounds(param.month, "month"),
  ...movingWindow("months", 13),
}) {
  protected get parameterKinds(): readonly string[] {
    return ["month", "date"];
  }

  movingStart(now: Date): Date {
    return addMonths(firstOfMonth(now), -this.months_back);
  }
  movingStop(now: Date): Date {
    return addMonths(firstOfMonth(now), this.months_forward);
  }
  /** Every first of a month in the window, the month of finiteStop excluded. */
  finiteDatetimes(finiteStart: Date, finiteStop: Date): Date[] {
    return this.grid(firstOfMonth(finiteStart), finiteStart, firstOfMonth(finiteStop), (t) =>
      addMonths(t, 1),
    );
  }
  countDatetimes(from: Date, to: Date): number {
    const month = (d: Date): number => d.getUTCFullYear() * 12 + d.getUTCMonth();
    const firstFrom = month(from) + (from.getTime() === firstOfMonth(from).getTime() ? 0 : 1);
    return Math.max(0, month(to) - firstFrom);
  }
  formatDatetime(datetime: Date): string {
    return strftime(datetime, "%Y-%m");
  }
  override missingDatetimes(datetimes: readonly Date[]): Promise<Date[]> {
    return this.missingInBulk(datetimes);
  }
}

function firstOfMonth(d: Date): Date {
  return utcDate(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
