/**
 * Range steps (Luigi's `luigi/tools/range.py`): wrapper steps that require the missing instances of a
 * date-parameterised family over a window, so that cron can run `luigi RangeDaily --of Report --start
 * 2026-01-01` every hour and gaps fill themselves. See docs/ranges.md.
 */
import { RangeByMinutes, RangeByMinutesBase } from "./by-minutes.js";
import { RangeDaily, RangeDailyBase } from "./daily.js";
import { RangeHourly, RangeHourlyBase } from "./hourly.js";
import { RangeMonthly } from "./monthly.js";

export { RangeBase, MAX_RANGE_INSTANTS } from "./range-base.js";
export { RangeEvent } from "./events.js";
export {
  RangeDaily,
  RangeDailyBase,
  RangeHourly,
  RangeHourlyBase,
  RangeByMinutes,
  RangeByMinutesBase,
  RangeMonthly,
};

/** Every range family, as `luigi` makes them available unless `[core] autoload_range = false`. */
export const RANGE_STEPS = Object.freeze([
  RangeDailyBase,
  RangeDaily,
  RangeHourlyBase,
  RangeHourly,
  RangeByMinutesBase,
  RangeByMinutes,
  RangeMonthly,
]);
