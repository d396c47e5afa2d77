/**
 * The Timeline's data, whichever source it came from: the scheduler's `step_timeline` (the latest run of
 * each step it holds, epoch seconds, with dependencies) or the step history's `/history/timeline.json`
 * (every run of a window, epoch milliseconds, no dependencies). Pure: the chart and the tests read it.
 */
import type { HistoryTimeline, StepTimeline } from "../api/types.js";

/** One bar, in epoch milliseconds; `end` is the time it is drawn to (now, for a running one). */
export interface Bar {
  /** The step id. */
  id: string;
  family: string;
  /** How the run went: RUNNING / BATCH_RUNNING while it runs, then DONE, FAILED, DISABLED or PENDING. */
  status: string;
  start: number;
  end: number;
  running: boolean;
  worker: string | null;
  host: string | null;
  /** Dependencies among the bars (the history has none). */
  deps: string[];
  /** The history's run id (its /history/by_id page). */
  run: number | null;
  /** The history's first line of the error. */
  error: string | null;
}

export interface TimelineData {
  bars: Bar[];
  /** Where running bars end: the source's time of the answer. */
  now: number;
  /** Runs that matched the window (bars.length when nothing was cut). */
  total: number;
  /** Workers of the window with their runs, most first (for the filter). */
  workers: { worker: string; runs: number }[];
  /** Whether the bars carry their dependencies (the critical path needs them). */
  hasDeps: boolean;
}

/** A bar that ended before it started (clock steps, a restored state) is drawn as a point. */
function ordered(start: number, end: number): number {
  return Math.max(start, end);
}

export function fromLive(answer: StepTimeline): TimelineData {
  const now = answer.now * 1000;
  const bars = answer.bars.map<Bar>((b) => ({
    id: b.id,
    family: b.family,
    status: b.status,
    start: b.start * 1000,
    end: ordered(b.start * 1000, b.end === null ? now : b.end * 1000),
    running: b.end === null,
    worker: b.worker,
    host: null,
    deps: b.deps,
    run: null,
    error: null,
  }));
  return { bars, now, total: answer.total, workers: answer.workers, hasDeps: true };
}

/** The JSON of `/history/timeline.json` (its `from` and `to` as ISO text besides). */
export type HistoryTimelineAnswer = Pick<HistoryTimeline, "bars" | "cut" | "limit">;

export function fromHistory(answer: HistoryTimelineAnswer, now: number, worker: string): TimelineData {
  const counts = new Map<string, number>();
  for (const b of answer.bars) if (b.worker !== null) counts.set(b.worker, (counts.get(b.worker) ?? 0) + 1);
  const bars = answer.bars
    .filter((b) => worker === "" || b.worker === worker)
    .map<Bar>((b) => ({
      id: b.id,
      family: b.family,
      status: b.status,
      start: b.startMs,
      end: ordered(b.startMs, b.endMs ?? now),
      running: b.endMs === null,
      worker: b.worker,
      host: b.host,
      deps: [],
      run: b.run,
      error: b.error,
    }));
  const workers = [...counts]
    .map(([name, runs]) => ({ worker: name, runs }))
    .sort((a, b) => b.runs - a.runs || (a.worker < b.worker ? -1 : 1));
  return { bars, now, total: answer.cut ? bars.length + 1 : bars.length, workers, hasDeps: false };
}

/**
 * The critical path: the chain of dependencies that ends at the bar that finished last (a running bar
 * "finishes" now), each link the dependency that finished last, which held up the next one. First bar
 * first; empty when there are no bars. Ties go to the bar listed first.
 */
export function criticalPath(bars: readonly Bar[]): string[] {
  const byId = new Map<string, Bar>();
  let last: Bar | undefined;
  for (const b of bars) {
    byId.set(b.id, b);
    if (!last || b.end > last.end) last = b;
  }
  const path: string[] = [];
  const seen = new Set<string>();
  for (let bar = last; bar && !seen.has(bar.id);) {
    seen.add(bar.id);
    path.push(bar.id);
    let next: Bar | undefined;
    for (const dep of bar.deps) {
      const d = byId.get(dep);
      if (d && !seen.has(d.id) && (!next || d.end > next.end)) next = d;
    }
    bar = next;
  }
  return path.reverse();
}

/** Bars by start (then id), the rows of the chart from top to bottom. */
export function rowsOf(bars: readonly Bar[]): Bar[] {
  return [...bars].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The time span the bars cover, [first start, last end]; a single instant is widened to a second. */
export function extentOf(bars: readonly Bar[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of bars) {
    if (b.start < lo) lo = b.start;
    if (b.end > hi) hi = b.end;
  }
  if (!Number.isFinite(lo)) return [0, 1000];
  return hi - lo < 1000 ? [lo, lo + 1000] : [lo, hi];
}
