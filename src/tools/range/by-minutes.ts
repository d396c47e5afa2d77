import { MINUTE_MS, strftime } from "../../step/params/calendar.js";
import { param } from "../../step/params/index.js";
import { FixedGridRange } from "./fixed-grid.js";
import { movingWindow, rangeBounds } from "./range-base.js";

const MINUTES = { name: "minutes", ms: MINUTE_MS };

/**
 * The missing instants, `minutes_interval` apart from each whole hour, of a family with a
 * `param.dateMinute()` parameter, one complete() each (Luigi's RangeByMinutesBase).
 */
export class RangeByMinutesBase extends FixedGridRange.with({
  ...rangeBounds(param.dateMinute, "minute"),
  ...movingWindow("minutes", 60 * 24),
  minutes_interval: param.int({
    default: 1,
    description: "minutes between two instants, from each whole hour; divides 60 evenly",
  }),
}) {
  protected get parameterKinds(): readonly string[] {
    return ["dateMinute"];
  }
  protected get unit() {
    return MINUTES;
  }
  formatDatetime(datetime: Date): string {
    return strftime(datetime, "%Y-%m-%dT%H%M");
  }

  protected override stepMs(): number {
    const interval = this.minutes_interval;
    if (!(interval > 0 && interval < 60))
      this.refuse(`minutes_interval must be within 1..59, not ${interval}`);
    if (60 % interval !== 0) this.refuse(`minutes_interval ${interval} does not divide 60 evenly`);
    return interval * MINUTE_MS;
  }
}

/** The missing instants of a family, checked in bulk as RangeDaily checks days (Luigi's RangeByMinutes). */
export class RangeByMinutes extends RangeByMinutesBase {
  override missingDatetimes(datetimes: readonly Date[]): Promise<Date[]> {
    return this.missingInBulk(datetimes);
  }
}
