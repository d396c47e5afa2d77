import { setTimeout as sleep } from "node:timers/promises";
import { describeThrown, NonRetryableError, StepTimeoutError } from "../errors.js";
import { isStep, type Step, type StepReporter } from "../step/step.js";
import { flatten, mapStructure, type Structure } from "../step/structure.js";
import { resolveRetry, retryDelay } from "./retry.js";
import { foldStack } from "./stack.js";

/** How one run of a step ended. */
export type RunOutcome =
  | { kind: "done"; expl: string | undefined; seconds: number; attempts: number }
  | {
      kind: "failed";
      message: string;
      stack: string;
      timedOut: boolean;
      seconds: number;
      attempts: number;
      /** What run() threw, when it threw (onFailure() and the failure event get it, class and all). */
      error?: unknown;
    }
  | { kind: "suspended"; newDeps: Step[]; seconds: number };

/**
 * How a run is captured (log capture on): `around` runs the step's own code inside the run's capture
 * (only that code: the capture's AsyncLocalStorage costs every promise made meanwhile, see
 * log-capture.ts), and `note` adds text to the run's log (a failed attempt's error before a retry).
 */
export interface RunCapture {
  around<T>(fn: () => Promise<T>): Promise<T>;
  note(text: string): void;
}

type AnyGenerator = AsyncGenerator<unknown, void, unknown> | Generator<unknown, void, unknown>;

interface Suspended {
  generator: AnyGenerator;
  /** The structure last yielded: its outputs are sent back when the generator resumes. */
  yielded: unknown;
}

function isGenerator(value: unknown): value is AnyGenerator {
  if (value === null || typeof value !== "object") return false;
  return (
    typeof (value as { next?: unknown }).next === "function" &&
    (Symbol.asyncIterator in value || Symbol.iterator in value)
  );
}

/**
 * Runs steps in this process. Keeps the generators of steps paused on dynamic dependencies, so that a
 * resumed step continues where it yielded instead of starting over (Luigi restarts run() from the top).
 */
export class InlineExecutor {
  private readonly suspended = new Map<string, Suspended>();

  /** Runs (or resumes) `step` with its retry policy and timeout (seconds, 0 = none). */
  async execute(
    step: Step,
    reporter: StepReporter,
    abort: AbortController,
    timeoutSeconds: number,
    capture?: RunCapture,
  ): Promise<RunOutcome> {
    const started = performance.now();
    let policy: ReturnType<typeof resolveRetry>;
    try {
      policy = resolveRetry(step.retry, step.family);
    } catch (err) {
      const { message, stack } = describeThrown(err);
      return { kind: "failed", message, stack, timedOut: false, seconds: 0, attempts: 0, error: err };
    }
    let attempt = 1;
    for (;;) {
      try {
        const result = await withTimeout(this.attempt(step, reporter, capture), timeoutSeconds, abort, step);
        const seconds = (performance.now() - started) / 1000;
        if (result.kind === "suspended") return { kind: "suspended", newDeps: result.newDeps, seconds };
        return { kind: "done", expl: undefined, seconds, attempts: attempt };
      } catch (err) {
        this.suspended.delete(step.id);
        const timedOut = err instanceof StepTimeoutError;
        const final = timedOut || err instanceof NonRetryableError || attempt >= policy.attempts;
        if (final) {
          const { message, stack } = describeThrown(err);
          const seconds = (performance.now() - started) / 1000;
          return { kind: "failed", message, stack, timedOut, seconds, attempts: attempt, error: err };
        }
        attempt += 1;
        const wait = retryDelay(policy, attempt);
        capture?.note(
          `attempt ${attempt - 1} of ${policy.attempts} failed: ${foldStack(describeThrown(err).stack)}\nretrying in ${wait.toFixed(1)} s\n`,
        );
        reporter.setStatusMessage(
          `attempt ${attempt - 1} failed (${describeThrown(err).message}); retrying in ${wait.toFixed(1)} s`,
        );
        await sleep(wait * 1000, undefined, { signal: abort.signal }).catch(() => undefined);
        if (abort.signal.aborted) {
          const { message, stack } = describeThrown(err);
          return {
            kind: "failed",
            message,
            stack,
            timedOut: false,
            seconds: (performance.now() - started) / 1000,
            attempts: attempt - 1,
            error: err,
          };
        }
      }
    }
  }

  /** Forgets a paused generator (the step was re-run from scratch or abandoned). */
  forget(stepId: string): void {
    this.suspended.delete(stepId);
  }

  private async attempt(
    step: Step,
    reporter: StepReporter,
    capture: RunCapture | undefined,
  ): Promise<{ kind: "done" } | { kind: "suspended"; newDeps: Step[] }> {
    step.attachReporter(reporter);
    try {
      return capture ? await capture.around(() => this.runOnce(step)) : await this.runOnce(step);
    } finally {
      step.attachReporter(undefined);
    }
  }

  /** The step's own code: run(), or the resumption of its paused generator. */
  private async runOnce(step: Step): Promise<{ kind: "done" } | { kind: "suspended"; newDeps: Step[] }> {
    const paused = this.suspended.get(step.id);
    if (paused) {
      // Handed out again does not mean its dynamic dependencies are done (a scheduler that lost them,
      // or another worker's stale claim): resume only once they are complete, else wait for them again.
      const missing = await incomplete(paused.yielded);
      if (missing.length > 0) return { kind: "suspended", newDeps: missing };
      this.suspended.delete(step.id);
      return await this.drive(step, paused.generator, outputsOf(paused.yielded));
    }
    const result: unknown = step.run();
    if (isGenerator(result)) return await this.drive(step, result, undefined);
    await result;
    return { kind: "done" };
  }

  /** Advances a run() generator until it finishes or yields requirements that are not complete yet. */
  private async drive(
    step: Step,
    generator: AnyGenerator,
    firstValue: unknown,
  ): Promise<{ kind: "done" } | { kind: "suspended"; newDeps: Step[] }> {
    let send = firstValue;
    for (;;) {
      const next = await generator.next(send);
      if (next.done) return { kind: "done" };
      const missing = await incomplete(next.value);
      if (missing.length === 0) {
        send = outputsOf(next.value);
        continue;
      }
      this.suspended.set(step.id, { generator, yielded: next.value });
      return { kind: "suspended", newDeps: missing };
    }
  }
}

/** The steps in a yielded structure that are not complete. */
async function incomplete(yielded: unknown): Promise<Step[]> {
  const deps: Step[] = flatten(yielded as Structure<Step>, isStep);
  const complete = await Promise.all(deps.map((d) => d.complete()));
  return deps.filter((_, i) => !complete[i]);
}

function outputsOf(structure: unknown): unknown {
  return mapStructure(structure, isStep, (dep) => dep.output());
}

async function withTimeout<T>(
  work: Promise<T>,
  seconds: number,
  abort: AbortController,
  step: Step,
): Promise<T> {
  if (!(seconds > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(`${step.toString()} timed out after ${seconds} seconds`, {
        step: step.id,
        seconds,
      });
      abort.abort(error);
      reject(error);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
