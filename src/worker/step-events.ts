import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { anyHandlers, type StepEventName } from "../step/events.js";
import type { Step } from "../step/step.js";

/** Fires a step event; a handler's error is logged and swallowed (an observer never breaks a run). */
export async function fireStepEvent(
  log: Logger,
  step: Step,
  event: StepEventName,
  ...args: unknown[]
): Promise<void> {
  if (!anyHandlers()) return;
  const errors = await (step.fireEvent as (e: string, ...a: unknown[]) => Promise<unknown[]>).call(
    step,
    event,
    ...args,
  );
  for (const err of errors) {
    log.warn({ step: step.toString(), event, err: describeThrown(err).message }, "event handler failed");
  }
}
