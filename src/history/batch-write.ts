/**
 * Writes one batch of queued events in one transaction: assigns each event to a run (opening runs as
 * needed), inserts the new runs with their parameters, appends the events and updates the runs touched.
 *
 * What a run is: a step's life from the event that opens it to the next DONE, FAILED or DISABLED. An
 * event opens a run when the step has no open run, unless it continues the run that just ended (see
 * `continuesEndedRun`); a step new to the scheduler always opens one. So a retry after a failure is a new run, and a step announced again the next
 * day gets a new run, never the old row (SPEC 7.5, 29).
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { bulkInsert, type BulkTable } from "./bulk-insert.js";
import type { HistoryDb } from "./database.js";
import type { HistoryDialect } from "./dialects/types.js";
import {
  continuesEndedRun,
  endsRun,
  eventMessage,
  isFirstAnnouncement,
  isQueuedLog,
  type QueuedEvent,
  type QueuedItem,
  type QueuedLog,
} from "./event.js";
import type { RunCache, RunRef } from "./run-cache.js";
import {
  MAX_PARAM_NAME,
  storableName,
  storableText,
  VALUE_KEY_LENGTH,
  type HistoryDatabase,
} from "./schema.js";

/** A run's state at the end of the batch. */
interface RunState {
  /** Database id; undefined for a run this batch opens. */
  id: number | undefined;
  open: boolean;
  stepId: string;
  family: string;
  params: Readonly<Record<string, string | string[]>>;
  status: string;
  host: string | null;
  worker: string | null;
  startedAt: number;
  runningAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  error: string | null;
  /** Whether host / worker / error changed in this batch (an existing run only updates those then). */
  touchedRunner: boolean;
  touchedError: boolean;
  events: {
    event: string;
    ts: number;
    host: string | null;
    worker: string | null;
    message: string | null;
    actor: string | null;
  }[];
}

const LOOKUP_CHUNK = 500;

/** Returns the cache entries to apply once the transaction committed. */
export async function writeBatch(
  hdb: HistoryDb,
  cache: RunCache,
  batch: readonly QueuedItem[],
): Promise<Map<string, RunRef>> {
  const known = new Map<string, RunRef>();
  const missing = new Set<string>();
  const seen = new Set<string>();
  for (const e of batch) {
    const first = !seen.has(e.stepId);
    seen.add(e.stepId);
    const hit = cache.get(e.stepId);
    if (hit) known.set(e.stepId, hit);
    // A step new to the scheduler opens a run whatever the database holds: no lookup needed.
    else if (!(first && !isQueuedLog(e) && isFirstAnnouncement(e))) missing.add(e.stepId);
  }
  if (missing.size > 0) {
    for (const [stepId, ref] of await latestRuns(hdb.db, [...missing])) known.set(stepId, ref);
  }

  // Pass 1, in memory: every event to its run.
  const runs: RunState[] = [];
  const current = new Map<string, RunState>();
  // A log goes with the step's run current at its place in the batch (a run of this batch, whose id
  // is known only in the transaction, or the latest one the database holds); none: it is dropped.
  const logs: { log: QueuedLog; run: RunState | number }[] = [];
  for (const e of batch) {
    if (isQueuedLog(e)) {
      const run = current.get(e.stepId) ?? known.get(e.stepId)?.id;
      if (run !== undefined) logs.push({ log: e, run });
      continue;
    }
    let run = current.get(e.stepId);
    if (!run) {
      const ref = known.get(e.stepId);
      if (ref && (ref.open || continuesEndedRun(e))) {
        run = existingRun(ref, e);
        runs.push(run);
        current.set(e.stepId, run);
      }
    } else if (!run.open && !continuesEndedRun(e)) {
      run = undefined;
    }
    if (!run) {
      run = newRun(e);
      runs.push(run);
      current.set(e.stepId, run);
    }
    apply(run, e);
  }

  const staged = new Map<string, RunRef>();
  await hdb.db.transaction().execute(async (trx) => {
    const fresh = runs.filter((run) => run.id === undefined);
    const ids = await allocateIds(trx, hdb.dialect.name, fresh.length);
    fresh.forEach((run, i) => (run.id = ids[i]));
    const dialect = hdb.dialect.name;
    // One multi-row upsert for every run touched: new runs are inserted, existing ones updated.
    await bulkInsert(trx, dialect, STEPS, runs.map(stepRow));
    for (const run of runs) staged.set(run.stepId, { id: run.id as number, open: run.open });
    // Only runs opened here carry parameters (an existing run's `params` is empty).
    await bulkInsert(trx, dialect, PARAMETERS, runs.flatMap(paramRows));
    const events: unknown[][] = [];
    for (const run of runs) {
      for (const ev of run.events)
        events.push([run.id, ev.event, ev.ts, ev.host, ev.worker, ev.message, ev.actor]);
    }
    await bulkInsert(trx, dialect, EVENTS, events);
    // One statement per log: a batch of them in one would pass MySQL's max_allowed_packet.
    for (const { log, run } of logs) {
      await trx
        .insertInto("step_logs")
        .values({
          run_id: typeof run === "number" ? run : (run.id as number),
          attempt: log.attempt,
          worker: storableName(log.worker),
          ts: log.time,
          bytes: log.bytes,
          cut: log.cut,
          incomplete: log.incomplete ? 1 : 0,
          text: storableText(log.text),
        })
        .execute();
    }
  });
  return staged;
}

/**
 * Ids for the runs a batch opens, taken inside its transaction so that the run rows, their parameters
 * and events go in as multi-row inserts (one statement per chunk, not one per row).
 */
async function allocateIds(
  trx: Transaction<HistoryDatabase>,
  dialect: HistoryDialect["name"],
  n: number,
): Promise<number[]> {
  if (n === 0) return [];
  if (dialect === "postgres") {
    const { rows } = await sql<{ id: number | string }>`
      SELECT nextval(pg_get_serial_sequence('steps', 'id')) AS id FROM generate_series(1, ${n})`.execute(trx);
    return rows.map((r) => Number(r.id));
  }
  // SQLite has one writer at a time; MySQL's FOR UPDATE locks the end of the index until commit.
  const lock = dialect === "mysql" ? sql` FOR UPDATE` : sql``;
  const { rows } = await sql<{ m: number | string | null }>`SELECT MAX(id) AS m FROM steps${lock}`.execute(
    trx,
  );
  const max = Number(rows[0]?.m ?? 0);
  return Array.from({ length: n }, (_, i) => max + 1 + i);
}

const STEPS: BulkTable = {
  table: "steps",
  columns: [
    "id",
    "step_id",
    "family",
    "status",
    "host",
    "worker",
    "started_at",
    "running_at",
    "finished_at",
    "updated_at",
    "error",
  ],
  // An existing run keeps what this batch did not change: null means "keep" (runs never reopen).
  suffix: (dialect) =>
    dialect === "mysql"
      ? `ON DUPLICATE KEY UPDATE status = VALUES(status), updated_at = VALUES(updated_at),
         host = COALESCE(VALUES(host), host), worker = COALESCE(VALUES(worker), worker),
         running_at = COALESCE(running_at, VALUES(running_at)),
         finished_at = COALESCE(VALUES(finished_at), finished_at), error = COALESCE(VALUES(error), error)`
      : `ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
         host = COALESCE(excluded.host, steps.host), worker = COALESCE(excluded.worker, steps.worker),
         running_at = COALESCE(steps.running_at, excluded.running_at),
         finished_at = COALESCE(excluded.finished_at, steps.finished_at),
         error = COALESCE(excluded.error, steps.error)`,
};
const PARAMETERS: BulkTable = { table: "step_parameters", columns: ["run_id", "name", "value", "value_key"] };
const EVENTS: BulkTable = {
  table: "step_events",
  columns: ["run_id", "event", "ts", "host", "worker", "message", "actor"],
};

/**
 * A run as a `steps` row. For an existing run, the NOT NULL columns it does not change (step_id, family,
 * started_at) are placeholders that the conflict branch leaves alone.
 */
function stepRow(run: RunState): unknown[] {
  return [
    run.id,
    storableName(run.stepId),
    storableName(run.family),
    run.status,
    run.touchedRunner ? storableName(run.host) : null,
    run.touchedRunner ? storableName(run.worker) : null,
    run.startedAt,
    run.runningAt,
    run.finishedAt,
    run.updatedAt,
    run.touchedError ? storableText(run.error) : null,
  ];
}

function existingRun(ref: RunRef, e: QueuedEvent): RunState {
  return {
    id: ref.id,
    open: ref.open,
    stepId: e.stepId,
    family: e.family,
    params: {},
    status: e.status,
    host: null,
    worker: null,
    startedAt: e.time,
    runningAt: null,
    finishedAt: null,
    updatedAt: e.time,
    error: null,
    touchedRunner: false,
    touchedError: false,
    events: [],
  };
}

function newRun(e: QueuedEvent): RunState {
  return { ...existingRun({ id: 0, open: true }, e), id: undefined, params: e.params };
}

function apply(run: RunState, e: QueuedEvent): void {
  const message = eventMessage(e);
  run.status = e.status;
  run.updatedAt = e.time;
  if (e.status === "RUNNING" || e.status === "BATCH_RUNNING") {
    run.runningAt ??= e.time;
    run.host = e.host;
    run.worker = e.worker;
    run.touchedRunner = true;
  }
  if (endsRun(e.status)) {
    run.open = false;
    run.finishedAt = e.time;
  }
  if (e.status === "FAILED" || e.status === "DISABLED") {
    // Keep the worker's error text when the scheduler merely disables after it.
    if (message !== null && (run.error === null || e.cause !== "disabled-by-scheduler")) run.error = message;
    run.touchedError = true;
  }
  run.events.push({
    event: e.status,
    ts: e.time,
    host: storableName(e.host),
    worker: storableName(e.worker),
    message: storableText(message),
    actor: storableName(e.actor ?? null),
  });
}

function paramRows(run: RunState): unknown[][] {
  if (run.id === undefined) return [];
  return Object.entries(run.params).map(([name, raw]) => {
    const value = storableText(Array.isArray(raw) ? JSON.stringify(raw) : raw);
    return [run.id, storableText(name.slice(0, MAX_PARAM_NAME)), value, value.slice(0, VALUE_KEY_LENGTH)];
  });
}

/** Each step's newest run: two indexed queries per chunk of ids. */
async function latestRuns(db: Kysely<HistoryDatabase>, stepIds: string[]): Promise<Map<string, RunRef>> {
  const out = new Map<string, RunRef>();
  for (let i = 0; i < stepIds.length; i += LOOKUP_CHUNK) {
    const chunk = stepIds.slice(i, i + LOOKUP_CHUNK).map((id) => storableName(id));
    const newest = await db
      .selectFrom("steps")
      .select(["step_id", (eb) => eb.fn.max("id").as("id")])
      .where("step_id", "in", chunk)
      .groupBy("step_id")
      .execute();
    if (newest.length === 0) continue;
    const rows = await db
      .selectFrom("steps")
      .select(["id", "step_id", "finished_at"])
      .where(
        "id",
        "in",
        newest.map((r) => Number(r.id)),
      )
      .execute();
    for (const row of rows) out.set(row.step_id, { id: Number(row.id), open: row.finished_at === null });
  }
  // Ids longer than the column were stored cut: map them back to the full id the events carry.
  for (const id of stepIds) {
    const short = storableName(id);
    if (short !== id && out.has(short)) out.set(id, out.get(short) as RunRef);
  }
  return out;
}
