/**
 * Running one step the scheduler handed out: the dependency re-check, the run itself (inline or in a
 * child process), and the report of how it ended (done, failed, or suspended on dynamic dependencies).
 */
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { StepNotices } from "../notify/index.js";
import type { SchedulerApi } from "../scheduler/api.js";
import type { Step } from "../step/step.js";
import { mapConcurrent } from "./concurrency.js";
import { InlineExecutor, type RunOutcome } from "./execute.js";
import type { WorkerHistory } from "./history.js";
import { StepCapture, type CaptureSettings } from "./log-capture.js";
import type { LogShipper } from "./log-shipper.js";
import type { ProcessExecutor } from "./process-executor.js";
import { InlineRunCapture, RunReporter } from "./run-reporter.js";
import { foldStack } from "./stack.js";
import type { StatusReports } from "./status-reports.js";
import { fireStepEvent } from "./step-events.js";
import type { SchedulingWalk } from "./walk.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";

/** Lines of a failed run's log the execution summary shows under its error. */
export const LOG_TAIL_LINES = 20;

/** A step that ran faster than this lets the worker take more steps per request (see workBatchSize). */
const FAST_STEP_SECONDS = 0.05;

/** A step being run by this worker. */
export interface RunningEntry {
  step: Step;
  promise: Promise<void>;
  abort: AbortController;
  statusMessage?: string;
  progress?: number;
  /** The capture of the run going on (log capture on), made just before the step's code runs. */
  capture?: StepCapture;
}

/** What a run ended as, counted for the progress display. */
export interface RunCounts {
  done: number;
  failed: number;
  interrupted: number;
}

export interface StepRunnerInit {
  opts: ResolvedWorkerOptions;
  workerId: string;
  scheduler: SchedulerApi;
  reports: StatusReports;
  walk: SchedulingWalk;
  history: WorkerHistory;
  log: Logger;
  /** Told of failed runs (mail, webhook), in the background. */
  notices: StepNotices;
  processExecutor: ProcessExecutor | undefined;
  /** How runs are captured; undefined: not at all (`[worker] log_capture = false`). */
  capture: CaptureSettings | undefined;
  /** Sends the captured logs to the scheduler. */
  logs: LogShipper;
  /** Called when a running step's message or progress changed. */
  onChange: () => void;
}

export class StepRunner {
  readonly counts: RunCounts = { done: 0, failed: 0, interrupted: 0 };
  /** Steps to ask for per request now: doubles while steps finish fast, back to 1 after a slow one. */
  batchSize = 1;
  /** Set by interrupt(): the reason given to running steps' signals. */
  interruptedBy: string | undefined;
  private readonly inline = new InlineExecutor();
  private readonly reschedules = new Map<string, number>();
  private readonly warnedInlineTimeout = new Set<string>();
  /** Runs of each step by this worker, for the attempt number its log pieces carry. */
  private readonly runsOf = new Map<string, number>();

  constructor(private readonly init: StepRunnerInit) {}

  /**
   * Runs `step` to its end and reports the outcome. What throws before or around run() itself (its
   * requires() or a dependency's complete() in the re-check, a check_complete_on_run complete()) fails
   * the step with that error: a step handed out must always be reported, or the scheduler would hold it
   * as running on this worker.
   */
  async run(step: Step, entry: RunningEntry): Promise<void> {
    let outcome: RunOutcome | "handled";
    try {
      outcome = await this.attempt(step, entry);
    } catch (err) {
      const { message, stack } = describeThrown(err);
      outcome = { kind: "failed", message, stack, timedOut: false, seconds: 0, attempts: 1, error: err };
    }
    if (outcome !== "handled") await this.finish(step, outcome, entry);
    entry.capture?.close();
  }

  private async attempt(step: Step, entry: RunningEntry): Promise<RunOutcome | "handled"> {
    const { opts, log } = this.init;
    const label = step.toString();
    // Trusting luigid (trust_scheduler_done), its hand-out says every dependency is DONE.
    if (opts.checkUnfulfilledDeps && !this.init.walk.trusting) {
      const deps = step.dependencies();
      const complete = await mapConcurrent(deps, opts.completionConcurrency, (dep) => dep.complete());
      const missing = deps.filter((_, i) => !complete[i]);
      if (missing.length > 0) {
        await this.handleUnfulfilled(step, missing);
        return "handled";
      }
    }
    log.info({ step: label }, "running");
    await fireStepEvent(log, step, "start");
    const capture = this.captureFor(step);
    entry.capture = capture;
    const reporter = new RunReporter(this.init, step, entry, capture);
    const timeout = step.workerTimeout ?? opts.timeout;
    const child = this.childProcessFor(step, timeout);
    // Inline, what the step's own code prints is told apart from the other runs' by its async context
    // (log-capture.ts); a child process's output is its own.
    const around = capture && new InlineRunCapture(capture);
    let outcome: RunOutcome = child
      ? await child.execute(step, reporter, entry.abort, timeout, capture)
      : await this.inline.execute(step, reporter, entry.abort, timeout, around);
    if (outcome.kind === "done" && opts.checkCompleteOnRun && !(await step.complete())) {
      const message = `${label} finished but is not complete (check_complete_on_run)`;
      outcome = failure(message, outcome.seconds, outcome.attempts);
    }
    return outcome;
  }

  /** A capture for a run of `step`, numbered; undefined when capture is off. */
  private captureFor(step: Step): StepCapture | undefined {
    const settings = this.init.capture;
    if (!settings) return undefined;
    const attempt = (this.runsOf.get(step.id) ?? 0) + 1;
    this.runsOf.set(step.id, attempt);
    return new StepCapture(step, attempt, settings, this.init.logs.queue);
  }

  /**
   * The executor for a step: steps with a timeout run in a child process under "auto" isolation, so that
   * the timeout holds even when their code never yields (a timer cannot interrupt a busy event loop).
   */
  private childProcessFor(step: Step, timeout: number): ProcessExecutor | undefined {
    const { opts, processExecutor } = this.init;
    if (opts.isolation === "process") return processExecutor;
    if (!(timeout > 0)) return undefined;
    if (opts.isolation === "auto" && processExecutor) return processExecutor;
    if (!this.warnedInlineTimeout.has(step.family)) {
      this.warnedInlineTimeout.add(step.family);
      this.init.log.warn(
        { step: step.toString(), timeout },
        opts.isolation === "inline"
          ? "isolation = inline: this step's timeout aborts this.signal but cannot stop code that never yields"
          : "no module to load steps in a child process: this step's timeout aborts this.signal but cannot stop code that never yields (run it with luigi --module)",
      );
    }
    return undefined;
  }

  /** Reports how a run ended. */
  async finish(step: Step, outcome: RunOutcome, entry?: RunningEntry): Promise<void> {
    const { log, history, reports } = this.init;
    const label = step.toString();
    const capture = entry?.capture;
    if (outcome.kind === "suspended") {
      capture?.close();
      log.info({ step: label, newDeps: outcome.newDeps.length }, "waiting for dynamic dependencies");
      await reports.report(step, "PENDING", {
        runnable: true,
        newDeps: outcome.newDeps.map((d) => d.id),
        deps: null,
      });
      await this.init.walk.add(outcome.newDeps);
      return;
    }
    if (outcome.kind === "done") {
      let expl: string | undefined;
      try {
        const hook = await step.onSuccess();
        if (typeof hook === "string") expl = hook;
      } catch (err) {
        log.warn({ step: label, err: describeThrown(err).message }, "onSuccess() failed");
      }
      this.counts.done++;
      if (outcome.attempts > 1) {
        const record = history.get(step.id);
        if (record) record.retried = true;
      }
      this.batchSize =
        outcome.seconds < FAST_STEP_SECONDS ? Math.min(this.init.opts.workBatchSize, this.batchSize * 2) : 1;
      // Closed before the outcome is reported: its last piece goes first (see LogShipper).
      capture?.close();
      await reports.report(step, "DONE", { runnable: null, expl: expl ?? null }, this.outcomeRoute());
      log.info({ step: label, seconds: Number(outcome.seconds.toFixed(3)) }, "done");
      await fireStepEvent(log, step, "success");
      await fireStepEvent(log, step, "processingTime", outcome.seconds);
      return;
    }
    const interrupted = this.interruptedBy !== undefined && entry?.abort.signal.aborted === true;
    const thrown = outcome.error ?? new Error(outcome.message);
    let expl = interrupted ? `interrupted (${this.interruptedBy}): ${outcome.stack}` : outcome.stack;
    try {
      const hook = await step.onFailure(thrown);
      if (typeof hook === "string") expl = hook;
    } catch (err) {
      log.warn({ step: label, err: describeThrown(err).message }, "onFailure() failed");
    }
    if (interrupted) this.counts.interrupted++;
    else this.counts.failed++;
    this.batchSize = 1;
    if (capture?.log) {
      history.setLogTail(step.id, capture.log.lastLines(LOG_TAIL_LINES));
      // The log ends with what ended the run, as the worker's own log shows it.
      capture.note(`${label} ${interrupted ? "interrupted" : "failed"}: ${foldStack(outcome.stack)}\n`);
    }
    capture?.close();
    if (capture) expl = capture.mask(expl);
    await reports.report(step, "FAILED", { runnable: null, expl }, this.outcomeRoute());
    const message = capture ? capture.mask(outcome.message) : outcome.message;
    const stack = capture ? capture.mask(outcome.stack) : outcome.stack;
    history.setError(step.id, { message, stack });
    const record = history.get(step.id);
    if (record && interrupted) record.interrupted = true;
    const verbose = log.isLevelEnabled("debug");
    log.error(
      { step: label, attempts: outcome.attempts, stack: foldStack(stack, { full: verbose }) },
      interrupted ? `interrupted (${this.interruptedBy}):` : "failed:",
    );
    // An interruption was asked for: nobody needs telling.
    if (!interrupted) this.init.notices.failed(step, { message, stack });
    if (outcome.timedOut) await fireStepEvent(log, step, "timeout", outcome.message);
    await fireStepEvent(log, step, "failure", thrown);
  }

  /** Outcomes wait for the next request when batching is on; otherwise each is its own `add_task`. */
  private outcomeRoute(): "call" | "outbox" {
    return this.init.opts.workBatchSize > 1 ? "outbox" : "call";
  }

  /** A dependency vanished between scheduling and running: re-register it (at most maxReschedules). */
  private async handleUnfulfilled(step: Step, missing: Step[]): Promise<void> {
    const message = `Unfulfilled dependency at run time: ${missing.map((d) => d.toString()).join(", ")}`;
    const count = (this.reschedules.get(step.id) ?? 0) + 1;
    this.reschedules.set(step.id, count);
    if (count > this.init.opts.maxReschedules) {
      await this.finish(step, failure(message, 0, 1));
      return;
    }
    this.init.log.warn({ step: step.toString() }, message);
    for (const dep of missing) this.init.walk.known.delete(dep.id);
    const deps = step.dependencies().map((d) => d.id);
    await this.init.reports.report(step, "PENDING", { runnable: true, deps });
    await this.init.walk.add(missing);
  }
}

function failure(message: string, seconds: number, attempts: number): RunOutcome {
  return { kind: "failed", message, stack: message, timedOut: false, seconds, attempts };
}
