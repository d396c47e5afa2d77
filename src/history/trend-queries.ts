/**
 * The queries of the timeline and the duration trends: `/history/timeline.json` (runs as Gantt bars for a
 * time window the scheduler no longer holds), `/tasklist` (every family with its run counts, failures and
 * p50 / p95 durations) and `/tasklist/{name}` (a family's latest runs, for the chart). Each reads through
 * an index: steps_updated_at for windows (a run that overlaps a window was updated at or after its start),
 * steps_family_id for a family's runs and the family list; each answer is capped.
 */
import { sql, type Kysely } from "kysely";
import { percentileOfSorted } from "./percentile.js";
import { MAX_RUN_ID, storableName, toMillis, type HistoryDatabase } from "./schema.js";

/** Most bars one timeline answer holds, and by default. */
export const MAX_HISTORY_BARS = 50_000;
export const DEFAULT_HISTORY_BARS = 10_000;
/** Most runs of a window /tasklist reads for its figures (the latest ones). */
export const MAX_TREND_ROWS = 200_000;
/** Most runs of a family /tasklist/{name} charts, and by default. */
export const MAX_FAMILY_RUNS = 10_000;
export const DEFAULT_FAMILY_RUNS = 1000;
/** The first characters of an error a bar or a point carries (the whole text is on the run's page). */
const ERROR_HEAD = 300;

/** One run as a bar: epoch milliseconds; `endMs` null while it runs. */
export interface HistoryBar {
  run: number;
  id: string;
  family: string;
  status: string;
  startMs: number;
  endMs: number | null;
  host: string | null;
  worker: string | null;
  /** The first line of its error (FAILED / DISABLED), at most 300 characters; else null. */
  error: string | null;
}

export interface HistoryTimeline {
  fromMs: number;
  toMs: number;
  /** By start, then run id. */
  bars: HistoryBar[];
  /** More runs overlap the window than `limit`: the ones that started last are answered. */
  cut: boolean;
  limit: number;
}

export interface TimelineFilter {
  host?: string | undefined;
  worker?: string | undefined;
}

/** Durations of a set of runs: the successful ones (a fast failure says nothing of how long a run takes). */
export interface DurationFigures {
  runs: number;
  done: number;
  /** FAILED or DISABLED. */
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface FamilyStats extends DurationFigures {
  family: string;
  /** All runs ever recorded (the figures count only the window's). */
  totalRuns: number;
  lastRun: { id: number; status: string; updatedMs: number; durationMs: number | null } | null;
}

export interface FamilyList {
  sinceMs: number;
  families: FamilyStats[];
  /** The window held more than MAX_TREND_ROWS runs: the figures cover the latest ones. */
  cut: boolean;
}

export interface TrendPoint {
  run: number;
  stepId: string;
  status: string;
  /** When it was handed out (else announced). */
  startMs: number;
  endMs: number | null;
  durationMs: number | null;
  host: string | null;
  error: string | null;
}

export interface FamilyTrend extends DurationFigures {
  family: string;
  /** The latest runs, oldest first. */
  points: TrendPoint[];
  /** Older runs exist than those answered. */
  hasMore: boolean;
  limit: number;
}

function firstLine(text: string | null): string | null {
  if (text === null) return null;
  const line = (text.split("\n", 1)[0] ?? "").trim();
  return line === "" ? text.trim().slice(0, ERROR_HEAD) || null : line.slice(0, ERROR_HEAD);
}

function isFailure(status: string): boolean {
  return status === "FAILED" || status === "DISABLED";
}

/** A finished run's duration: from its first hand-out (else its start) to its end. */
function durationOf(started: number, running: number | null, finished: number | null): number | null {
  return finished === null ? null : Math.max(0, finished - (running ?? started));
}

export function durationFigures(
  runs: readonly { status: string; durationMs: number | null }[],
): DurationFigures {
  const durations: number[] = [];
  let done = 0;
  let failed = 0;
  for (const r of runs) {
    if (r.status === "DONE") {
      done++;
      if (r.durationMs !== null) durations.push(r.durationMs);
    } else if (isFailure(r.status)) failed++;
  }
  durations.sort((a, b) => a - b);
  return {
    runs: runs.length,
    done,
    failed,
    p50Ms: percentileOfSorted(durations, 50),
    p95Ms: percentileOfSorted(durations, 95),
    maxMs: durations.length > 0 ? (durations[durations.length - 1] as number) : null,
  };
}

const errorHead = sql<string | null>`substr(error, 1, ${sql.lit(ERROR_HEAD)})`;

export class TrendQueries {
  constructor(private readonly db: Kysely<HistoryDatabase>) {}

  /** Runs that were handed out by `toMs` and still going at `fromMs` or later, as bars. */
  async timeline(
    fromMs: number,
    toMs: number,
    filter: TimelineFilter,
    limit: number,
  ): Promise<HistoryTimeline> {
    let q = this.db
      .selectFrom("steps")
      .select([
        "id",
        "step_id",
        "family",
        "status",
        "host",
        "worker",
        "running_at",
        "finished_at",
        "updated_at",
      ])
      .select(errorHead.as("error_head"))
      // A run's updated_at is its last event: one that ended before the window was updated before it.
      .where("updated_at", ">=", Math.floor(fromMs))
      .where("running_at", "is not", null)
      .where("running_at", "<=", Math.floor(toMs));
    if (filter.host !== undefined) q = q.where("host", "=", storableName(filter.host));
    if (filter.worker !== undefined) q = q.where("worker", "=", storableName(filter.worker));
    const rows = await q
      .orderBy("running_at", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const cut = rows.length > limit;
    const bars: HistoryBar[] = rows.slice(0, limit).map((r) => {
      const running = r.status === "RUNNING" || r.status === "BATCH_RUNNING";
      const finished = toMillis(r.finished_at);
      return {
        run: Number(r.id),
        id: r.step_id,
        family: r.family,
        status: r.status,
        startMs: toMillis(r.running_at) as number,
        endMs: finished ?? (running ? null : toMillis(r.updated_at)),
        host: r.host,
        worker: r.worker,
        error: isFailure(r.status) ? firstLine(r.error_head) : null,
      };
    });
    bars.reverse();
    return { fromMs, toMs, bars, cut, limit };
  }

  /** Every family: all-time run count and last run, plus the figures of the runs active since `sinceMs`. */
  async families(sinceMs: number): Promise<FamilyList> {
    const all = await this.db
      .selectFrom("steps")
      .select((eb) => ["family", eb.fn.countAll().as("runs"), eb.fn.max("id").as("last_id")])
      .groupBy("family")
      .orderBy("family")
      .execute();
    const lastIds = all.map((r) => Number(r.last_id)).filter((id) => id >= 1 && id <= MAX_RUN_ID);
    const last = new Map<number, FamilyStats["lastRun"]>();
    for (let i = 0; i < lastIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("steps")
        .select(["id", "status", "started_at", "running_at", "finished_at", "updated_at"])
        .where("id", "in", lastIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        last.set(Number(r.id), {
          id: Number(r.id),
          status: r.status,
          updatedMs: toMillis(r.updated_at),
          durationMs: durationOf(toMillis(r.started_at), toMillis(r.running_at), toMillis(r.finished_at)),
        });
      }
    }
    const recent = await this.db
      .selectFrom("steps")
      .select(["family", "status", "started_at", "running_at", "finished_at"])
      .where("updated_at", ">=", Math.floor(sinceMs))
      .orderBy("updated_at", "desc")
      .orderBy("id", "desc")
      .limit(MAX_TREND_ROWS + 1)
      .execute();
    const cut = recent.length > MAX_TREND_ROWS;
    const byFamily = new Map<string, { status: string; durationMs: number | null }[]>();
    for (const r of recent.slice(0, MAX_TREND_ROWS)) {
      let list = byFamily.get(r.family);
      if (!list) byFamily.set(r.family, (list = []));
      list.push({
        status: r.status,
        durationMs: durationOf(toMillis(r.started_at), toMillis(r.running_at), toMillis(r.finished_at)),
      });
    }
    const families = all.map((r) => ({
      family: r.family,
      totalRuns: Number(r.runs),
      lastRun: last.get(Number(r.last_id)) ?? null,
      ...durationFigures(byFamily.get(r.family) ?? []),
    }));
    return { sinceMs, families, cut };
  }

  /** The family's latest `limit` runs with their figures; undefined when it has no run at all. */
  async family(family: string, limit: number): Promise<FamilyTrend | undefined> {
    const rows = await this.db
      .selectFrom("steps")
      .select(["id", "step_id", "status", "host", "started_at", "running_at", "finished_at"])
      .select(errorHead.as("error_head"))
      .where("family", "=", storableName(family))
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    if (rows.length === 0) return undefined;
    const hasMore = rows.length > limit;
    const points: TrendPoint[] = rows.slice(0, limit).map((r) => {
      const started = toMillis(r.started_at);
      const running = toMillis(r.running_at);
      const finished = toMillis(r.finished_at);
      return {
        run: Number(r.id),
        stepId: r.step_id,
        status: r.status,
        startMs: running ?? started,
        endMs: finished,
        durationMs: durationOf(started, running, finished),
        host: r.host,
        error: isFailure(r.status) ? firstLine(r.error_head) : null,
      };
    });
    points.reverse();
    return { family, ...durationFigures(points), points, hasMore, limit };
  }
}
