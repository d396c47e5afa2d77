/**
 * The worker's side: the few calls the scheduling walk and the run make when something fails, turned
 * into notices for the notifier (src/notify/queue.ts). Each call returns at once.
 */
import { describeThrown } from "../errors.js";
import type { Step } from "../step/step.js";
import { textParams, type Origin, type StepFacts } from "./notices.js";
import { SILENT_NOTIFIER, type Notifier } from "./queue.js";

export function stepFacts(step: Step): StepFacts {
  return {
    name: step.toString(),
    id: step.id,
    family: step.family,
    params: step.wireParams().params,
    owners: [...step.owners],
  };
}

export class StepNotices {
  constructor(
    private readonly notifier: Notifier,
    private readonly origin: Origin,
  ) {}

  /** A worker without a notifier: every call does nothing. */
  static silent(): StepNotices {
    return new StepNotices(SILENT_NOTIFIER, { host: "", worker: null });
  }

  /** A step's run failed (not an interruption: that was asked for). */
  failed(step: Step, error: { message: string; stack: string }): void {
    this.notifier.notify({ event: "failure", step: stepFacts(step), error, ...this.origin });
  }

  /** complete() or requires() threw while scheduling, or the walk itself failed at this step. */
  notScheduled(step: Step, phase: "complete" | "requires" | "framework", thrown: unknown): void {
    const { message, stack } = describeThrown(thrown);
    this.notifier.notify({
      event: "scheduling_failure",
      phase,
      step: stepFacts(step),
      error: { message, stack },
      ...this.origin,
    });
  }

  /** The scheduler handed out a step this worker cannot build. */
  notLoaded(id: string, family: string, params: Readonly<Record<string, unknown>>, message: string): void {
    const step: StepFacts = { name: id, id, family, params: textParams(params), owners: [] };
    this.notifier.notify({
      event: "scheduling_failure",
      phase: "load",
      step,
      error: { message, stack: message },
      ...this.origin,
    });
  }
}
