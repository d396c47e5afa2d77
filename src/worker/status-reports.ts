import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { AddTaskArgs, SchedulerApi, StepStatus } from "../scheduler/api.js";
import type { Step } from "../step/step.js";
import type { WorkerHistory } from "./history.js";
import { slim, type Outbox } from "./outbox.js";

/** What a status claim says besides the status. */
export interface ClaimExtras {
  /** null: keep what was last said. Default true. */
  runnable?: boolean | null;
  deps?: string[] | null;
  newDeps?: string[];
  expl?: string | null;
  /** Found incomplete after check_claims said luigid holds it DONE (AddTaskArgs.incomplete_after_done). */
  incompleteAfterDone?: boolean;
}

/**
 * How a claim travels: "call" is its own `add_task`; "walk" joins the scheduling walk's batched
 * registrations; "outbox" waits for the worker's next request (see Outbox).
 */
export type ClaimRoute = "call" | "walk" | "outbox";

/** Sends status claims about steps to the scheduler, and records each for the execution summary. */
export class StatusReports {
  constructor(
    private readonly scheduler: SchedulerApi,
    private readonly workerId: string,
    private readonly assistant: boolean,
    private readonly history: WorkerHistory,
    readonly outbox: Outbox,
  ) {}

  async report(
    step: Step,
    status: StepStatus,
    extra: ClaimExtras,
    route: ClaimRoute = "call",
  ): Promise<void> {
    if (extra.runnable !== null) this.history.record(step, status, extra.runnable ?? true);
    else this.history.record(step, status, this.history.get(step.id)?.runnable ?? true);
    const args = this.claim(step, status, extra);
    if (route === "call") {
      await this.outbox.beforeOutcomes();
      await this.scheduler.addTask(args);
      return;
    }
    const task = slim(args);
    if (route === "outbox") this.outbox.queue(task);
    else await this.outbox.register(task);
  }

  /**
   * Tells the scheduler that `step` could not be scheduled (Luigi's announce_scheduling_failure: only
   * luigid's digests use it). A scheduler that does not take it is logged, not a failure of the walk.
   */
  async announceSchedulingFailure(step: Step, expl: string, log: Logger): Promise<void> {
    try {
      await this.scheduler.announceSchedulingFailure({
        worker: this.workerId,
        task_name: step.toString(),
        family: step.family,
        params: step.significantParams(),
        expl,
        owners: [...step.owners],
      });
    } catch (err) {
      log.warn(
        { step: step.toString(), err: describeThrown(err).message },
        "announce_scheduling_failure failed",
      );
    }
  }

  private claim(step: Step, status: StepStatus, extra: ClaimExtras): AddTaskArgs {
    const { params, visibilities } = step.wireParams();
    return {
      worker: this.workerId,
      task_id: step.id,
      status,
      runnable: extra.runnable ?? null,
      deps: extra.deps ?? null,
      new_deps: extra.newDeps ?? null,
      // Luigi JSON-encodes the explanation text once more; kept for wire compatibility.
      expl: extra.expl === undefined || extra.expl === null ? null : JSON.stringify(extra.expl),
      resources: { ...step.resources },
      priority: step.priority,
      family: step.family,
      module: (step.constructor as typeof Step).stepModule ?? null,
      params,
      param_visibilities: visibilities,
      accepts_messages: false,
      assistant: this.assistant,
      tracking_url: null,
      batchable: false,
      batch_id: null,
      retry_policy_dict: {
        retry_count: step.retryCount,
        disable_hard_timeout: step.disableHardTimeout,
        disable_window: step.disableWindow,
      },
      owners: [...step.owners],
      ...(extra.incompleteAfterDone === true ? { incomplete_after_done: true } : {}),
    };
  }
}
