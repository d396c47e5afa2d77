/**
 * `step_timeline` (luigi-ts): the latest run of every step the scheduler holds, as the bars of a Gantt
 * chart, filtered by worker and time window. The scheduler keeps one run per step (a retry replaces the
 * failed attempt) and forgets a finished step after `remove_delay`; older runs are the step history's
 * (`/history/timeline.json`).
 *
 * It reads every step once (no index orders runs by time: keeping one would cost every hand-out a
 * B-tree update for a view that is seldom open) and sorts only the runs that match: a few milliseconds
 * with 100,000 steps held.
 */
import {
  DEFAULT_TIMELINE_BARS,
  MAX_TIMELINE_BARS,
  type StepStatus,
  type StepTimeline,
  type StepTimelineArgs,
  type TimelineBar,
} from "./api.js";
import type { Core } from "./core.js";
import { isRunningStatus, type StepRecord } from "./step-record.js";

interface Run {
  rec: StepRecord;
  status: StepStatus;
  start: number;
  end: number | null;
  worker: string | null;
}

/** The record's latest run, or null when it has not run (or runs again from nothing known). */
export function latestRun(rec: StepRecord): Run | null {
  const start = rec.timeRunning;
  if (start === null) return null;
  if (isRunningStatus(rec.status)) {
    return { rec, status: rec.status, start, end: null, worker: rec.workerRunning };
  }
  if (rec.runEnded !== null && rec.runOutcome !== null) {
    return { rec, status: rec.runOutcome, start, end: rec.runEnded, worker: rec.runWorker };
  }
  // Restored from a snapshot older than runEnded: the run ended at the last status change.
  if (rec.status === "DONE" || rec.status === "FAILED" || rec.status === "DISABLED") {
    return { rec, status: rec.status, start, end: Math.max(start, rec.updated), worker: rec.workerRunning };
  }
  return null;
}

function byStart(a: Run, b: Run): number {
  return a.start - b.start || (a.rec.id < b.rec.id ? -1 : a.rec.id > b.rec.id ? 1 : 0);
}

export function stepTimeline(core: Core, args: StepTimelineArgs): StepTimeline {
  const now = core.state.now;
  const since = args.since ?? null;
  const until = args.until ?? null;
  const worker = args.worker ?? null;
  const limit = Math.max(1, Math.min(MAX_TIMELINE_BARS, Math.floor(args.limit ?? DEFAULT_TIMELINE_BARS)));
  const perWorker = new Map<string, number>();
  const runs: Run[] = [];
  for (const rec of core.state.steps.values()) {
    const run = latestRun(rec);
    if (run === null) continue;
    if (until !== null && run.start > until) continue;
    if (since !== null && (run.end ?? now) < since) continue;
    if (run.worker !== null) perWorker.set(run.worker, (perWorker.get(run.worker) ?? 0) + 1);
    if (worker !== null && run.worker !== worker) continue;
    runs.push(run);
  }
  runs.sort(byStart);
  const kept = runs.length > limit ? runs.slice(runs.length - limit) : runs;
  const shown = new Set<string>();
  for (const run of kept) shown.add(run.rec.id);
  const bars: TimelineBar[] = kept.map((run) => {
    const deps: string[] = [];
    for (const dep of run.rec.deps) if (dep !== run.rec.id && shown.has(dep)) deps.push(dep);
    return {
      id: run.rec.id,
      family: run.rec.family,
      status: run.status,
      start: run.start,
      end: run.end,
      worker: run.worker,
      deps,
    };
  });
  const workers = [...perWorker]
    .map(([name, n]) => ({ worker: name, runs: n }))
    .sort((a, b) => b.runs - a.runs || (a.worker < b.worker ? -1 : 1));
  return { bars, total: runs.length, limit, now, workers };
}
