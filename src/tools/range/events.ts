import type { StepEventName } from "../../step/events.js";

/**
 * The events a range step fires each time it looks for missing instances (Luigi's `RangeEvent`), with
 * the `of` family's name and a number: `RangeDaily.on(RangeEvent.DELAY, (range, family, delay) => ...)`.
 *
 * - COMPLETE_COUNT: instances complete in the window. Over a backfill it only grows; its rate is the
 *   throughput.
 * - COMPLETE_FRACTION: that count over the window's size (1 for an empty window).
 * - DELAY: instants from the first missing one to the window's end (0 when none is missing), in the
 *   range's unit (days for RangeDaily, hours for RangeHourly, ...).
 *
 * The window counted is `[start, stop)` widened to the moving one (`now - X_back .. now + X_forward`),
 * as Luigi counts it; instants outside the moving window are not checked and count as complete.
 */
export const RangeEvent = {
  COMPLETE_COUNT: "rangeCompleteCount",
  COMPLETE_FRACTION: "rangeCompleteFraction",
  DELAY: "rangeDelay",
} as const satisfies Record<string, StepEventName>;
