/**
 * The page queries. Each listing is paged with limit + 1 rows (the extra row says whether a next page
 * exists, so no COUNT over a large table) and walks an index: steps_updated_at for /history,
 * steps_family_id for by_name / by_params, step_parameters_name_value for parameter matches,
 * steps_step_id_id for by_task_id, step_events_run_id for one run's events. Names and values are looked
 * up as the writer stores them (cut to their column, NUL replaced), so any input finds what it names.
 */
import type { Kysely, SelectQueryBuilder } from "kysely";
import {
  MAX_PARAM_NAME,
  MAX_RUN_ID,
  storableName,
  storableText,
  toMillis,
  VALUE_KEY_LENGTH,
  type HistoryDatabase,
  type StepsTable,
} from "./schema.js";

export interface Paging {
  /** 1-based. */
  page: number;
  limit: number;
}

export interface RunSummary {
  id: number;
  stepId: string;
  family: string;
  status: string;
  host: string | null;
  worker: string | null;
  /** ISO 8601 UTC. */
  startedAt: string;
  runningAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** From the first hand-out (else the start) to the end; null while the run is open. */
  durationMs: number | null;
  error: string | null;
  params: Record<string, string>;
}

export interface RunEvent {
  event: string;
  ts: string;
  host: string | null;
  worker: string | null;
  message: string | null;
  /** Who asked for it (mark as done, forgive, re-enable), e.g. "alice (operator) from 10.0.0.7"; else null. */
  actor: string | null;
  /** Time from this event to the next one of the run (null for the last). */
  untilNextMs: number | null;
}

/** One attempt's captured log of a run. */
export interface RunLog {
  attempt: number;
  worker: string | null;
  /** ISO 8601 UTC: when the log was complete. */
  ts: string;
  /** Bytes the attempt printed; of those, the ones cut from the middle (the text marks where). */
  bytes: number;
  cut: number;
  /** The run ended without the worker sending the rest of its log. */
  incomplete: boolean;
  text: string;
}

export interface RunDetail extends RunSummary {
  events: RunEvent[];
  /** What the run printed, attempt by attempt (empty when nothing was captured). */
  logs: RunLog[];
}

export interface RunPage {
  runs: RunSummary[];
  page: number;
  limit: number;
  hasNext: boolean;
}

type StepRow = { [K in keyof StepsTable]: StepsTable[K] extends { __select__: infer S } ? S : StepsTable[K] };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function summary(row: StepRow, params: Record<string, string>): RunSummary {
  const started = toMillis(row.started_at);
  const running = toMillis(row.running_at);
  const finished = toMillis(row.finished_at);
  return {
    id: Number(row.id),
    stepId: row.step_id,
    family: row.family,
    status: row.status,
    host: row.host,
    worker: row.worker,
    startedAt: iso(started) as string,
    runningAt: iso(running),
    finishedAt: iso(finished),
    updatedAt: iso(toMillis(row.updated_at)) as string,
    durationMs: finished === null ? null : finished - (running ?? started),
    error: row.error,
    params,
  };
}

export class HistoryQueries {
  constructor(private readonly db: Kysely<HistoryDatabase>) {}

  /** Runs with activity since `sinceMs`, most recent activity first. */
  async recent(sinceMs: number, paging: Paging): Promise<RunPage> {
    const q = this.db
      .selectFrom("steps")
      .selectAll()
      .where("updated_at", ">=", Math.floor(sinceMs))
      .orderBy("updated_at", "desc")
      .orderBy("id", "desc");
    return this.page(q, paging);
  }

  /** All runs of a family, newest first. */
  async byName(family: string, paging: Paging): Promise<RunPage> {
    const q = this.db
      .selectFrom("steps")
      .selectAll()
      .where("family", "=", storableName(family))
      .orderBy("id", "desc");
    return this.page(q, paging);
  }

  /** Runs of a family whose parameters match every pair (string equality on the stored value). */
  async byParams(family: string, params: Readonly<Record<string, string>>, paging: Paging): Promise<RunPage> {
    let q = this.db.selectFrom("steps").selectAll().where("family", "=", storableName(family));
    for (const [rawName, rawValue] of Object.entries(params)) {
      const name = storableText(rawName.slice(0, MAX_PARAM_NAME));
      const value = storableText(rawValue);
      q = q.where("id", "in", (eb) =>
        eb
          .selectFrom("step_parameters")
          .select("run_id")
          .where("name", "=", name)
          .where("value_key", "=", value.slice(0, VALUE_KEY_LENGTH))
          .where("value", "=", value),
      );
    }
    return this.page(q.orderBy("id", "desc"), paging);
  }

  /** Runs of one step id, newest first. */
  async byStepId(stepId: string, paging: Paging): Promise<RunPage> {
    const q = this.db
      .selectFrom("steps")
      .selectAll()
      .where("step_id", "=", storableName(stepId))
      .orderBy("id", "desc");
    return this.page(q, paging);
  }

  /** Whether any run of the family exists (tells "unknown family" from "no match"). */
  async familyExists(family: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("steps")
      .select("id")
      .where("family", "=", storableName(family))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** One run with its parameters and every event, oldest first. */
  async run(id: number): Promise<RunDetail | undefined> {
    // Run ids are INTEGER: PostgreSQL refuses to compare with a larger number rather than finding nothing.
    if (!Number.isSafeInteger(id) || id < 1 || id > MAX_RUN_ID) return undefined;
    const row = await this.db.selectFrom("steps").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const params = (await this.paramsOf([id])).get(id) ?? {};
    const rows = await this.db
      .selectFrom("step_events")
      .select(["event", "ts", "host", "worker", "message", "actor"])
      .where("run_id", "=", id)
      .orderBy("id", "asc")
      .limit(10_000)
      .execute();
    const events: RunEvent[] = rows.map((r, i) => {
      const ts = toMillis(r.ts);
      const next = rows[i + 1];
      return {
        event: r.event,
        ts: iso(ts) as string,
        host: r.host,
        worker: r.worker,
        message: r.message,
        actor: r.actor,
        untilNextMs: next ? toMillis(next.ts) - ts : null,
      };
    });
    const logRows = await this.db
      .selectFrom("step_logs")
      .select(["attempt", "worker", "ts", "bytes", "cut", "incomplete", "text"])
      .where("run_id", "=", id)
      .orderBy("id", "asc")
      .limit(100)
      .execute();
    const logs: RunLog[] = logRows.map((r) => ({
      attempt: Number(r.attempt),
      worker: r.worker,
      ts: iso(toMillis(r.ts)) as string,
      bytes: Number(r.bytes),
      cut: Number(r.cut),
      incomplete: Number(r.incomplete) !== 0,
      text: r.text,
    }));
    return { ...summary(row, params), events, logs };
  }

  private async page(
    q: SelectQueryBuilder<HistoryDatabase, "steps", StepRow>,
    paging: Paging,
  ): Promise<RunPage> {
    const rows = await q
      .limit(paging.limit + 1)
      .offset((paging.page - 1) * paging.limit)
      .execute();
    const hasNext = rows.length > paging.limit;
    const shown = rows.slice(0, paging.limit);
    const params = await this.paramsOf(shown.map((r) => Number(r.id)));
    return {
      runs: shown.map((r) => summary(r, params.get(Number(r.id)) ?? {})),
      page: paging.page,
      limit: paging.limit,
      hasNext,
    };
  }

  private async paramsOf(ids: number[]): Promise<Map<number, Record<string, string>>> {
    const out = new Map<number, Record<string, string>>();
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom("step_parameters")
      .select(["run_id", "name", "value"])
      .where("run_id", "in", ids)
      .orderBy("run_id")
      .orderBy("name")
      .execute();
    for (const r of rows) {
      const id = Number(r.run_id);
      let p = out.get(id);
      if (!p) out.set(id, (p = {}));
      p[r.name] = r.value;
    }
    return out;
  }
}
