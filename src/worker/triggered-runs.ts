/**
 * An assistant's triggered runs (luigi-ts): while it runs, the assistant polls the scheduler for a run
 * asked for with `trigger_step` (`take_trigger`, only of the families it announced), builds the root
 * step, and runs it as `luigi FAMILY ...` would: with a worker of its own (its own id, as a separate
 * `luigi` process would have, so the run's steps are held by that worker and let go once it is done),
 * the scheduling walk, the run loop and the execution summary, whose status and exit code are reported
 * back (`report_trigger`). One run at a time per assistant; the assistant's own loop goes on meanwhile.
 *
 * Against a scheduler without these methods (Luigi's), the first poll says so and polling stops.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describeThrown, ErrorCode, SchedulerError } from "../errors.js";
import type { RetcodeConfig } from "../config/index.js";
import type { Logger } from "../log/logger.js";
import type { ReportTriggerArgs, SchedulerApi, TakenTrigger } from "../scheduler/api.js";
import type { Step } from "../step/step.js";
import type { WorkerHistory } from "./history.js";
import { summarize } from "./summary.js";
import { buildTriggeredStep } from "./trigger-families.js";

/** What a triggered run needs of the worker that runs it (a Worker, seen structurally: no import cycle). */
export interface RunWorker {
  readonly id: string;
  readonly history: WorkerHistory;
  readonly hadSchedulingError: boolean;
  readonly interruptedBy: string | undefined;
  add(roots: Step[]): Promise<void>;
  run(): Promise<boolean>;
  phaseOut(): void;
  interrupt(reason: string): void;
}

export interface TriggeredRunsInit {
  scheduler: SchedulerApi;
  /** The assistant's worker id: it takes the triggers and reports on them. */
  workerId: string;
  log: Logger;
  retcodes: RetcodeConfig;
  /** Milliseconds to wait before asking again when nothing waits. */
  pollDelay: () => number;
  /** A new worker for one run, logging to `log`. */
  newWorker: (log: Logger) => RunWorker;
}

type Taken = NonNullable<TakenTrigger["trigger"]>;

export class TriggeredRuns {
  private loop: Promise<void> | undefined;
  private current: RunWorker | undefined;
  private stopped = false;
  private interruptedBy: string | undefined;
  /** Cuts the wait between polls short (stop, interrupt). */
  private readonly wake = new AbortController();

  constructor(private readonly init: TriggeredRunsInit) {}

  start(): void {
    this.loop ??= this.poll();
  }

  /** Takes no new trigger; the run in progress finishes what it runs and stops (phase out). */
  phaseOut(): void {
    this.stopped = true;
    this.current?.phaseOut();
    this.wake.abort();
  }

  /** Takes no new trigger and interrupts the run in progress (SIGINT, SIGTERM). */
  interrupt(reason: string): void {
    this.interruptedBy ??= reason;
    this.stopped = true;
    this.current?.interrupt(reason);
    this.wake.abort();
  }

  /** Takes no new trigger; resolves once the run in progress, if any, has ended and been reported. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
  }

  private async poll(): Promise<void> {
    const { scheduler, workerId, log } = this.init;
    while (!this.stopped) {
      let taken: Taken | null = null;
      try {
        taken = (await scheduler.takeTrigger({ worker: workerId })).trigger;
      } catch (err) {
        if (err instanceof SchedulerError && err.code === ErrorCode.UNKNOWN_METHOD) {
          log.info(
            "the scheduler has no triggered runs (take_trigger is unknown there): not polling for them",
          );
          return;
        }
        log.warn({ err: describeThrown(err).message }, "asking for a triggered run failed");
      }
      // Taken means it is this assistant's: it runs even when a stop came meanwhile (then briefly).
      if (taken) await this.runOne(taken);
      else await this.pause(this.init.pollDelay());
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  private async runOne(trigger: Taken): Promise<void> {
    const { log } = this.init;
    const id = trigger.trigger_id;
    let root: Step;
    try {
      root = buildTriggeredStep(trigger.family, trigger.params);
    } catch (err) {
      const { message } = describeThrown(err);
      log.warn({ trigger: id, family: trigger.family, err: message }, `triggered run #${id} refused`);
      await this.report({ trigger_id: id, status: "refused", message });
      return;
    }
    const run = this.init.newWorker(log.child({ trigger: id }));
    this.current = run;
    if (this.interruptedBy !== undefined) run.interrupt(this.interruptedBy);
    else if (this.stopped) run.phaseOut();
    log.info(
      { trigger: id, step: root.toString(), worker: run.id },
      `triggered run #${id}: ${root.toString()}`,
    );
    await this.report({ trigger_id: id, status: "running", task_id: root.id, run_worker: run.id });
    try {
      await run.add([root]);
      await run.run();
    } catch (err) {
      // The scheduler went away for longer than the client's retries, most likely: the run is cut short.
      const { message } = describeThrown(err);
      log.error({ trigger: id, err: message }, `triggered run #${id} stopped`);
      await this.report({ trigger_id: id, status: "failed", task_id: root.id, run_worker: run.id, message });
      return;
    } finally {
      this.current = undefined;
    }
    const summary = summarize(run.history, [root], this.init.retcodes, {
      schedulingFailed: run.hadSchedulingError,
      ...(run.interruptedBy !== undefined ? { interruptedBy: run.interruptedBy } : {}),
    });
    log.info(
      { trigger: id, status: summary.status, exitCode: summary.exitCode },
      `triggered run #${id} ended: ${summary.status} (exit code ${summary.exitCode})`,
    );
    await this.report({
      trigger_id: id,
      status: summary.exitCode === 0 ? "done" : "failed",
      task_id: root.id,
      run_worker: run.id,
      result: summary.status,
      exit_code: summary.exitCode,
      message: summary.text,
    });
  }

  /** A report that does not arrive leaves the trigger running until the scheduler finds this assistant gone. */
  private async report(args: Omit<ReportTriggerArgs, "worker">): Promise<void> {
    try {
      await this.init.scheduler.reportTrigger({ ...args, worker: this.init.workerId });
    } catch (err) {
      this.init.log.warn(
        { trigger: args.trigger_id, err: describeThrown(err).message },
        "reporting on a triggered run failed",
      );
    }
  }
}
