/**
 * What a running step's `this.setStatusMessage()`, `this.signal`, `this.logger` and friends reach: one
 * object per run, telling the scheduler. Classes with their methods on the prototype, not object
 * literals of closures: the bundle keeps function names (esbuild's keepNames), which costs a
 * defineProperty for each closure made (about 0.3 µs), and a worker makes these once per step.
 */
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { createStepLogger } from "../log/step-logger.js";
import type { SchedulerApi } from "../scheduler/api.js";
import type { Step, StepReporter } from "../step/step.js";
import type { RunCapture } from "./execute.js";
import { mayRunAlone, outsideCapture, runCaptured, type StepCapture } from "./log-capture.js";

/** What a run's reporter needs of the worker running it. */
export interface RunReporterInit {
  readonly scheduler: SchedulerApi;
  readonly log: Logger;
  readonly workerId: string;
  /** The run's progress changed (status message, percentage). */
  readonly onChange: () => void;
}

/** The parts of a running entry a reporter reads and sets. */
export interface ReportedRun {
  readonly abort: AbortController;
  statusMessage?: string;
  progress?: number;
}

export class RunReporter implements StepReporter {
  private stepLogger: Logger | undefined;

  constructor(
    private readonly init: RunReporterInit,
    private readonly step: Step,
    private readonly entry: ReportedRun,
    private readonly capture: StepCapture | undefined,
  ) {}

  // Made on first use: Node builds an AbortSignal when it is first asked for, about 10 µs.
  get signal(): AbortSignal {
    return this.entry.abort.signal;
  }

  // Made on first use: most steps never log.
  get logger(): Logger {
    return (this.stepLogger ??= this.makeLogger());
  }

  setStatusMessage(message: string): void {
    this.entry.statusMessage = message;
    this.init.onChange();
    this.send(
      "set_task_status_message",
      this.init.scheduler.setTaskStatusMessage({ task_id: this.step.id, status_message: message }),
    );
  }

  setProgressPercentage(percent: number): void {
    this.entry.progress = percent;
    this.init.onChange();
    this.send(
      "set_task_progress_percentage",
      this.init.scheduler.setTaskProgressPercentage({ task_id: this.step.id, progress_percentage: percent }),
    );
  }

  setTrackingUrl(url: string): void {
    this.send(
      "add_task",
      this.init.scheduler.addTask({
        worker: this.init.workerId,
        task_id: this.step.id,
        status: "RUNNING",
        tracking_url: url,
        resources: { ...this.step.resources },
      }),
    );
  }

  decreaseRunningResources(resources: Record<string, number>): void {
    this.send(
      "decrease_running_task_resources",
      this.init.scheduler.decreaseRunningTaskResources({
        task_id: this.step.id,
        decrease_resources: resources,
      }),
    );
  }

  private makeLogger(): Logger {
    const { capture, init, step } = this;
    return capture
      ? createStepLogger(init.log, step.toString(), {
          record: (line) => capture.note(line),
          mask: (text) => capture.mask(text),
          outside: (fn) => outsideCapture(fn),
        })
      : init.log.child({ step: step.toString() });
  }

  /** A report that fails is logged; the run goes on. */
  private send(what: string, call: Promise<unknown>): void {
    call.catch((err: unknown) =>
      this.init.log.warn({ step: this.step.id, err: describeThrown(err).message }, `${what} failed`),
    );
  }
}

/**
 * An inline run's capture: what the step's own code prints goes to its log, told apart from the other
 * runs' by its async context (log-capture.ts).
 */
export class InlineRunCapture implements RunCapture {
  constructor(private readonly capture: StepCapture) {}

  around<T>(fn: () => Promise<T>): Promise<T> {
    return runCaptured(this.capture, fn, { alone: mayRunAlone() });
  }

  note(text: string): void {
    this.capture.note(text);
  }
}
