import type { RetryPolicy } from "../step/step.js";

/** Defaults of a step's worker-side retry policy (see RetryPolicy). */
export const DEFAULT_RETRY: Required<RetryPolicy> = {
  attempts: 1,
  initialDelay: 1,
  backoff: 2,
  maxDelay: 60,
  jitter: 0.2,
};

export function resolveRetry(policy: RetryPolicy | null | undefined): Required<RetryPolicy> {
  const merged = { ...DEFAULT_RETRY, ...(policy ?? {}) };
  merged.attempts = Math.max(1, Math.floor(merged.attempts));
  merged.jitter = Math.min(1, Math.max(0, merged.jitter));
  return merged;
}

/** Seconds to wait before attempt number `attempt` (2 = the first retry), with jitter. */
export function retryDelay(
  policy: Required<RetryPolicy>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.backoff ** Math.max(0, attempt - 2));
  const spread = base * policy.jitter;
  return Math.max(0, Math.min(policy.maxDelay, base - spread + 2 * spread * random()));
}
