/**
 * Pruning (SPEC 2.7): Luigi visits every step on every prune; here each rule only visits the entries
 * whose deadline has passed or that an event flagged, so a prune costs O(expired · log n).
 */
import type { Core } from "./core.js";
import { isRunningStatus, type StepRecord } from "./step-record.js";
import { failIfRunnerGone, reEnable, setStatus } from "./transitions.js";

/**
 * Whether a prune now could change anything: a worker or step deadline has come, or an event flagged a
 * step for a rule. Conservative (a deadline that has come may belong to a stale timer entry, which the
 * prune only drops): false means the prune would leave the state exactly as it is, so the daemon need
 * not journal it (an idle luigid would otherwise write a prune line per second).
 */
export function pruneDue(core: Core): boolean {
  const { state, options } = core;
  const now = state.now;
  const due = (at: number | undefined): boolean => at !== undefined && at <= now;
  return (
    state.idx.runnerSuspects.size > 0 ||
    state.orphanCandidates.size > 0 ||
    due(state.workerTimers.peekAt()) ||
    due(state.disableTimers.peekAt()) ||
    (options.retryDelay >= 0 && due(state.retryTimers.peekAt())) ||
    due(state.removeTimers.peekAt())
  );
}

export function prune(core: Core): void {
  const { state, options } = core;
  const now = state.now;
  const live = (rec: StepRecord): boolean => state.steps.get(rec.id) === rec;

  // 1. Workers silent for worker_disconnect_delay go, and with them their claims on steps.
  const gone = state.expiredWorkers();
  for (const w of gone) state.removeWorker(w);

  // 2. Running steps whose runner is no stakeholder nor live assistant fail (flagged by removeWorker,
  //    or counted as suspects when their runner never was a stakeholder).
  for (const rec of [...state.idx.runnerSuspects]) {
    const runner = rec.workerRunning;
    if (!live(rec) || !isRunningStatus(rec.status) || runner === null || rec.stakeholders.includes(runner)) {
      state.idx.runnerSuspects.delete(rec);
    } else if (!state.assistants.has(runner)) {
      state.idx.runnerSuspects.delete(rec);
      failIfRunnerGone(core, rec);
    }
  }
  for (const w of gone) state.idx.forgetWorker(w.id);

  // 3. Steps nobody holds any more start their removal timer (a RUNNING one waits until it stops).
  for (const rec of [...state.orphanCandidates]) {
    if (!live(rec) || rec.stakeholders.length > 0 || rec.remove !== null) {
      state.orphanCandidates.delete(rec);
    } else if (rec.status !== "RUNNING") {
      rec.remove = now + options.removeDelay;
      state.removeTimers.push(rec.remove, rec);
      state.orphanCandidates.delete(rec);
    }
  }

  // 4. Scheduler disables expire into FAILED with a clean history.
  state.disableTimers.drain(
    (rec) => now - (rec.schedulerDisableTime as number) > options.disablePersist,
    (rec, at) =>
      live(rec) &&
      rec.status === "DISABLED" &&
      rec.schedulerDisableTime !== null &&
      rec.schedulerDisableTime + options.disablePersist === at,
    (rec) => reEnable(core, rec, true),
  );

  // 5. FAILED steps whose retry delay passed become PENDING again.
  if (options.retryDelay >= 0) {
    state.retryTimers.drain(
      (rec) => (rec.retry as number) < now,
      (rec, at) => live(rec) && rec.status === "FAILED" && rec.retry === at,
      (rec) => setStatus(core, rec, "PENDING", "retry"),
    );
  }

  // 6. Removal deadlines.
  state.removeTimers.drain(
    (rec) => now >= (rec.remove as number),
    (rec, at) => live(rec) && rec.remove === at,
    (rec) => state.deleteStep(rec),
  );
}
