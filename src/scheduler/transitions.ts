/**
 * The status funnel (SPEC 2.3 rules 1-6), re-enabling (2.6) and priority propagation (2.5). Every status
 * change of the scheduler goes through `setStatus`.
 */
import type { StepStatus } from "./api.js";
import { notify, type Core, type HistoryCause } from "./core.js";
import type { HeldLog } from "./step-logs.js";
import { clearFailures, hasExcessiveFailures, recordFailure } from "./retry-policy.js";
import { isRunningStatus, type StepRecord } from "./step-record.js";

/**
 * `cause` only labels the history event. Changes into RUNNING / BATCH_RUNNING are not reported to the
 * history here: the caller knows the runner and host only after the change and reports them itself.
 */
export function setStatus(
  core: Core,
  rec: StepRecord,
  requested: StepStatus,
  cause: HistoryCause = "claim",
): void {
  const { state, options } = core;
  const now = state.now;
  // 1. A running step cannot be disabled from outside.
  if (requested === "DISABLED" && isRunningStatus(rec.status)) return;
  const removeOnFailure = rec.batchId !== null && !rec.batchable;
  // 2. DONE lifts any disable; a scheduler disable ignores everything else but another DISABLED.
  if (rec.status === "DISABLED") {
    if (requested === "DONE") reEnable(core, rec, false);
    else if (rec.schedulerDisableTime !== null && requested !== "DISABLED") return;
  }
  // 3. A batch head leaving RUNNING takes its members along.
  if (rec.status === "RUNNING" && rec.batchId !== null && requested !== "RUNNING") {
    const members = state.idx.batchMembers.get(rec.batchId);
    for (const member of members ? [...members] : []) {
      setStatus(core, member, requested, cause);
      if (member.batchId !== null) state.change(member, () => (member.batchId = null));
    }
    state.change(rec, () => (rec.batchId = null));
  }
  // 4. Failures are counted; too many turn into a scheduler disable.
  let status = requested;
  let failedFirst = false;
  if (status === "FAILED" && rec.status !== "DISABLED") {
    recordFailure(rec, now);
    if (hasExcessiveFailures(rec, now)) {
      failedFirst = true;
      rec.schedulerDisableTime = now;
      state.disableTimers.push(now + options.disablePersist, rec);
      status = "DISABLED";
      notify(core.hooks, "disabledByScheduler", rec);
    }
  } else if (status === "DISABLED") {
    rec.schedulerDisableTime = null;
  }
  // 5. The change itself.
  if (status !== rec.status) {
    const previous = rec.status;
    // A run that ends without its worker's last log piece (the worker died): its log is complete as it is.
    if (isRunningStatus(previous) && !isRunningStatus(status)) {
      const held = state.logs.closeOpen(rec.id);
      if (held) finishedLog(core, held);
    }
    rec.foundComplete = false;
    if (failedFirst) recordChange(core, rec, previous, "FAILED", cause);
    state.change(rec, () => {
      rec.status = status;
      rec.updated = now;
    });
    noteRunEnd(rec, previous, failedFirst ? "FAILED" : status, now);
    if (status === "DONE") notify(core.hooks, "metrics", "done", rec, previous);
    else if (status === "FAILED") notify(core.hooks, "metrics", "failed", rec, previous);
    else if (status === "DISABLED") notify(core.hooks, "metrics", "disabled", rec, previous);
    if (!isRunningStatus(status)) {
      const from = failedFirst ? "FAILED" : previous;
      recordChange(core, rec, from, status, failedFirst ? "disabled-by-scheduler" : cause);
    }
  }
  // 6. Retry deadline; a failed member of a batch that cannot be batched goes away.
  if (status === "FAILED") {
    rec.retry = now + options.retryDelay;
    if (options.retryDelay >= 0) state.retryTimers.push(rec.retry, rec);
    if (removeOnFailure) {
      rec.remove = now;
      state.removeTimers.push(now, rec);
    }
  }
}

/**
 * Keeps how the latest run went for the run timeline (see StepRecord.runEnded): a run ends when the step
 * leaves RUNNING / BATCH_RUNNING, and a new hand-out starts afresh.
 */
function noteRunEnd(rec: StepRecord, previous: StepStatus, outcome: StepStatus, now: number): void {
  const wasRunning = isRunningStatus(previous);
  if (wasRunning === isRunningStatus(outcome)) return;
  if (wasRunning) {
    rec.runEnded = now;
    rec.runOutcome = outcome;
    rec.runWorker = rec.workerRunning;
  } else {
    rec.runEnded = null;
    rec.runOutcome = null;
    rec.runWorker = null;
  }
}

/**
 * Lifts a scheduler disable and forgets the failure history. With `toFailed` (disable_persist expiry,
 * `re_enable_task`) the step then continues as FAILED, i.e. it is retried after retry_delay.
 */
export function reEnable(core: Core, rec: StepRecord, toFailed: boolean): void {
  rec.schedulerDisableTime = null;
  clearFailures(rec);
  if (toFailed) {
    setStatus(core, rec, "FAILED", "re-enabled");
    clearFailures(rec);
  }
}

/** `add_task(S=RUNNING)` or a hand-out: whether somebody already holds the step. */
export function hasRunner(rec: StepRecord): boolean {
  return rec.workerRunning !== null && isRunningStatus(rec.status);
}

/**
 * Raises the step's priority to `priority` and pushes it to every known dependency that is lower,
 * iteratively: a chain of any depth costs O(chain) and no stack.
 */
export function raisePriority(core: Core, root: StepRecord, priority: number): void {
  const { state } = core;
  const stack: [StepRecord, number][] = [[root, priority]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [rec, wanted] = item;
    const next = Math.max(wanted, rec.priority);
    if (next !== rec.priority) state.change(rec, () => (rec.priority = next));
    else if (rec !== root) continue; // raised meanwhile through another path: its deps are done too
    for (const depId of rec.deps) {
      const dep = state.steps.get(depId);
      if (dep && next > dep.priority) stack.push([dep, next]);
    }
  }
}

/**
 * Prune's first step rule: a RUNNING step whose runner is neither a stakeholder nor a live assistant any
 * more (its worker was pruned) fails, counting as a failure.
 */
export function failIfRunnerGone(core: Core, rec: StepRecord): boolean {
  const runner = rec.workerRunning;
  if (!isRunningStatus(rec.status) || runner === null) return false;
  if (rec.stakeholders.includes(runner) || core.state.assistants.has(runner)) return false;
  const complete = rec.foundComplete;
  core.state.change(rec, () => (rec.workerRunning = null));
  setStatus(core, rec, complete ? "DONE" : "FAILED", "runner-gone");
  // Luigi forgets the runner (worker_running); the timeline still says who it was.
  rec.runWorker = runner;
  return true;
}

/** Reports a status change to the history hook (the worker is the runner, if it has one). */
export function recordChange(
  core: Core,
  rec: StepRecord,
  previous: StepStatus,
  status: StepStatus,
  cause: HistoryCause,
  worker: string | null = rec.workerRunning,
  host: string | null = null,
): void {
  if (!core.hooks.history) return;
  notify(core.hooks, "history", {
    step: rec,
    previous,
    status,
    time: core.state.now,
    worker,
    host: host ?? (worker === null ? null : (core.state.workers.get(worker)?.reference?.host ?? null)),
    error: status === "FAILED" || status === "DISABLED" ? rec.expl : null,
    cause,
  });
}

/** Hands a complete step log to the `stepLog` hook (rendered only when somebody listens). */
export function finishedLog(core: Core, held: HeldLog): void {
  if (!core.hooks.stepLog) return;
  const { text, bytes, cut } = held.log.render();
  notify(core.hooks, "stepLog", {
    stepId: held.stepId,
    family: core.state.steps.get(held.stepId)?.family ?? "",
    attempt: held.attempt,
    worker: held.worker,
    text,
    bytes,
    cut,
    incomplete: held.incomplete,
    time: core.state.now,
  });
}
