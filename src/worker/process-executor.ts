import type { Step, StepReporter } from "../step/step.js";
import type { RunOutcome } from "./execute.js";
import type { CaptureTarget } from "./log-capture.js";

/** Runs one step in a child process (`[worker] isolation = process`). */
export interface ProcessExecutor {
  execute(
    step: Step,
    reporter: StepReporter,
    abort: AbortController,
    timeoutSeconds: number,
    /** Where the child's stdout and stderr go besides the worker's own (log capture on). */
    capture?: CaptureTarget,
  ): Promise<RunOutcome>;
  /** Kills every child process still running a step (the worker exits at once). */
  killAll(): void;
}
