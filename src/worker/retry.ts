import { ErrorCode, StepDefinitionError } from "../errors.js";
import type { RetryPolicy } from "../step/step.js";

/** Defaults of a step's worker-side retry policy (see RetryPolicy). */
export const DEFAULT_RETRY: Required<RetryPolicy> = {
  attempts: 1,
  initialDelay: 1,
  backoff: 2,
  maxDelay: 60,
  jitter: 0.2,
};

/** What each field accepts, for the error that names a bad one. */
const RULES: Record<keyof RetryPolicy, { ok: (v: number) => boolean; expected: string }> = {
  attempts: { ok: (v) => Number.isInteger(v) && v >= 1, expected: "an integer >= 1" },
  initialDelay: { ok: (v) => v >= 0, expected: "seconds >= 0" },
  backoff: { ok: (v) => v >= 1, expected: "a factor >= 1" },
  maxDelay: { ok: (v) => v >= 0, expected: "seconds >= 0" },
  jitter: { ok: (v) => v >= 0 && v <= 1, expected: "a fraction from 0 to 1" },
};

/** Policies already resolved (a family's static `retry` object serves each of its runs). */
const resolved = new WeakMap<RetryPolicy, Readonly<Required<RetryPolicy>>>();
const RESOLVED_DEFAULT: Readonly<Required<RetryPolicy>> = Object.freeze({ ...DEFAULT_RETRY });

/**
 * The step's policy with the defaults filled in. A bad value is refused (a StepDefinitionError naming the
 * field), not clamped: `attempts: 0` is a mistake to tell, not to guess about. The answer is frozen and
 * kept per policy object: the same policy is not checked again on each run.
 */
export function resolveRetry(
  policy: RetryPolicy | null | undefined,
  family = "step",
): Readonly<Required<RetryPolicy>> {
  if (policy == null) return RESOLVED_DEFAULT;
  const known = resolved.get(policy);
  if (known !== undefined) return known;
  const merged: Required<RetryPolicy> = Object.assign({}, DEFAULT_RETRY, policy);
  for (const [field, rule] of Object.entries(RULES) as [keyof RetryPolicy, (typeof RULES)["attempts"]][]) {
    const value = merged[field];
    if (typeof value !== "number" || Number.isNaN(value) || !rule.ok(value)) {
      throw new StepDefinitionError(
        ErrorCode.STEP_DEFINITION,
        `${family}.retry.${field} = ${JSON.stringify(value)}: expected ${rule.expected}`,
        { details: { family, field, value, expected: rule.expected } },
      );
    }
  }
  const frozen = Object.freeze(merged);
  resolved.set(policy, frozen);
  return frozen;
}

/** Seconds to wait before attempt number `attempt` (2 = the first retry), with jitter. */
export function retryDelay(
  policy: Readonly<Required<RetryPolicy>>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.backoff ** Math.max(0, attempt - 2));
  const spread = base * policy.jitter;
  return Math.max(0, Math.min(policy.maxDelay, base - spread + 2 * spread * random()));
}
