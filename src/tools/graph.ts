/**
 * The static dependency graph of a step, as `requires()` declares it, for the dependency tools. Each
 * step's requirements are asked once (steps are cached instances, so a step reached by two paths is one
 * node). Dynamic dependencies, yielded by `run()`, are not known without running it.
 */
import { ErrorCode, LuigiError } from "../errors.js";
import type { Step } from "../step/step.js";

export class StepGraph {
  private readonly deps = new Map<string, Step[] | LuigiError>();

  /** The step's requirements in declaration order, or the error its `requires()` threw. */
  requirementsOf(step: Step): Step[] | LuigiError {
    let known = this.deps.get(step.id);
    if (known === undefined) {
      try {
        known = step.dependencies();
      } catch (err) {
        known = stepCodeFailed(step, "requires()", err);
      }
      this.deps.set(step.id, known);
    }
    return known;
  }
}

/** A step's own code threw while the graph was read: Luigi's "scheduling error". */
export function stepCodeFailed(step: Step, what: string, err: unknown): LuigiError {
  const message = err instanceof Error ? err.message : String(err);
  return new LuigiError(ErrorCode.SCHEDULING_ERROR, `${String(step)}.${what} failed: ${message}`, {
    cause: err,
    details: { step: step.id, family: step.family },
  });
}
