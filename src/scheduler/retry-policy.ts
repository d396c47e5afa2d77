/**
 * Retry policy and failure bookkeeping (SPEC 2.6). Luigi builds each step's Failures deque with the
 * scheduler-wide disable_window at creation and never updates it when a worker later sends its own
 * window; here the window of the step's current policy is used, which is what the step asked for.
 */
import type { RetryPolicyDict } from "./api.js";

export interface RetryPolicy {
  readonly retryCount: number;
  readonly disableHardTimeout: number;
  readonly disableWindow: number;
}

/** What the failure rules need from a step record. */
export interface FailureLog {
  /** Failure times, oldest first; null until the first failure (most steps never fail). */
  failures: number[] | null;
  firstFailureTime: number | null;
  retryPolicy: RetryPolicy;
}

export function makeDefaultPolicy(opts: {
  retryCount: number;
  disableHardTimeout: number;
  disableWindow: number;
}): RetryPolicy {
  return Object.freeze({
    retryCount: opts.retryCount,
    disableHardTimeout: opts.disableHardTimeout,
    disableWindow: opts.disableWindow,
  });
}

/**
 * The scheduler defaults overridden field by field by the non-null values of a step's dict. Returns the
 * shared default object when nothing is overridden, so 100k ordinary steps share one policy.
 */
export function policyFrom(defaults: RetryPolicy, dict: RetryPolicyDict | null | undefined): RetryPolicy {
  if (!dict) return defaults;
  const retryCount = numberOr(dict.retry_count, defaults.retryCount);
  const disableHardTimeout = numberOr(dict.disable_hard_timeout, defaults.disableHardTimeout);
  const disableWindow = numberOr(dict.disable_window, defaults.disableWindow);
  if (
    retryCount === defaults.retryCount &&
    disableHardTimeout === defaults.disableHardTimeout &&
    disableWindow === defaults.disableWindow
  ) {
    return defaults;
  }
  return Object.freeze({ retryCount, disableHardTimeout, disableWindow });
}

function numberOr(value: number | null | undefined, fallback: number): number {
  return typeof value === "number" && !Number.isNaN(value) ? value : fallback;
}

export function recordFailure(log: FailureLog, now: number): void {
  if (!log.firstFailureTime) log.firstFailureTime = now;
  (log.failures ??= []).push(now);
}

/** Drops failures older than the window, then applies both "excessive" tests of SPEC 2.6. */
export function hasExcessiveFailures(log: FailureLog, now: number): boolean {
  const policy = log.retryPolicy;
  if (log.firstFailureTime !== null && now >= log.firstFailureTime + policy.disableHardTimeout) return true;
  const failures = log.failures ?? [];
  const minTime = now - policy.disableWindow;
  let drop = 0;
  while (drop < failures.length && (failures[drop] as number) < minTime) drop++;
  if (drop > 0) failures.splice(0, drop);
  return failures.length >= policy.retryCount;
}

/** A re-enable forgets everything, including the first failure that feeds disable_hard_timeout. */
export function clearFailures(log: FailureLog): void {
  log.failures = null;
  log.firstFailureTime = null;
}
