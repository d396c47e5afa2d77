/**
 * The batched, asynchronous history writer. The scheduler's hook only `push`es onto a bounded queue
 * (O(1), never awaits); a loop takes batches off the queue and writes each in one transaction. A
 * database that is down at start or goes away later is retried with exponential backoff and logged,
 * while luigid keeps scheduling and the queue keeps filling up to its bound. Past the bound events
 * are dropped: counted, logged and exposed as a metric, never silently. `close()` writes everything
 * still queued before it resolves.
 */
import { sql, type Kysely } from "kysely";
import type { Logger } from "../log/logger.js";
import { writeBatch } from "./batch-write.js";
import type { HistoryDb } from "./database.js";
import { isQueuedLog, type QueuedItem } from "./event.js";
import { migrateToLatest } from "./migrations/index.js";
import { BoundedQueue } from "./queue.js";
import { RunCache } from "./run-cache.js";

/** Counters the writer reports to; see history/metrics.ts for the prom-client ones. */
export interface WriterMetrics {
  dropped(n: number): void;
  writeError(): void;
  written(n: number): void;
}

export interface WriterOptions {
  /** Most events held in memory. Default 200,000 (~60 MB at worst). */
  maxQueue?: number;
  /** Most events per transaction. Default 2,000. */
  batchSize?: number;
  /**
   * Bytes of step logs (their text) held in memory at most: past it a log is dropped (counted, logged)
   * rather than queued. Default 64 MiB.
   */
  maxLogBytes?: number;
  /** Milliseconds between flushes when the queue is short. Default 250. */
  flushInterval?: number;
  /** Steps whose latest run is remembered (the rest are looked up). Default 50,000. */
  runCacheSize?: number;
  /** Backoff after a failure: first and largest delay in milliseconds. Defaults 500 and 30,000. */
  retryInitial?: number;
  retryMax?: number;
  /** How long `close()` keeps trying to write what is queued when the database is away. Default 10 s. */
  closeTimeout?: number;
  metrics?: WriterMetrics;
}

/** Log text per transaction at most (bytes, roughly: UTF-16 code units). */
const MAX_BATCH_LOG_BYTES = 8 * 1024 * 1024;

/** What a queued item weighs against maxLogBytes: a log its text, an event nothing. */
function itemBytes(item: QueuedItem): number {
  return isQueuedLog(item) ? item.text.length : 0;
}

function describeItem(item: QueuedItem | undefined): string | undefined {
  if (item === undefined) return undefined;
  return isQueuedLog(item) ? `log of attempt ${item.attempt}` : item.status;
}

export type WriterState = "starting" | "ready" | "retrying" | "closed";

export class HistoryWriter {
  private readonly queue: BoundedQueue<QueuedItem>;
  private readonly maxLogBytes: number;
  /** Bytes of log text queued. */
  private logBytes = 0;
  private readonly cache: RunCache;
  private readonly batchSize: number;
  private readonly flushInterval: number;
  private readonly retryInitial: number;
  private readonly retryMax: number;
  private readonly closeTimeout: number;
  private readonly metrics: WriterMetrics | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lock: Promise<void> = Promise.resolve();
  /** The batch size now: halved while a batch is refused, grown back after each success. */
  private narrowed: number;
  private strikes = 0;
  private busy = false;
  private migrated = false;
  private failures = 0;
  private retryAt = 0;
  private droppedTotal = 0;
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private closing = false;
  private writtenTotal = 0;
  stateName: WriterState = "starting";
  /** Migrations applied by this start (empty when the schema was already current). */
  appliedMigrations: string[] = [];

  constructor(
    private readonly hdb: HistoryDb,
    private readonly log: Logger,
    options: WriterOptions = {},
  ) {
    this.queue = new BoundedQueue(options.maxQueue ?? 200_000);
    this.cache = new RunCache(options.runCacheSize ?? 50_000);
    this.batchSize = options.batchSize ?? 2_000;
    this.maxLogBytes = options.maxLogBytes ?? 64 * 1024 * 1024;
    this.narrowed = this.batchSize;
    this.flushInterval = options.flushInterval ?? 250;
    this.retryInitial = options.retryInitial ?? 500;
    this.retryMax = options.retryMax ?? 30_000;
    this.closeTimeout = options.closeTimeout ?? 10_000;
    this.metrics = options.metrics;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  get written(): number {
    return this.writtenTotal;
  }

  /** Starts the flush loop (migrating the schema first, retrying until the database answers). */
  start(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => this.kick(), this.flushInterval);
    this.timer.unref();
    this.kick();
  }

  /** The scheduler's hot path: O(1), no I/O. */
  push(event: QueuedItem): void {
    const weight = itemBytes(event);
    if ((weight === 0 || this.logBytes + weight <= this.maxLogBytes) && this.queue.push(event)) {
      this.logBytes += weight;
      if (this.queue.length === this.batchSize) setImmediate(() => this.kick());
      return;
    }
    this.droppedTotal++;
    this.droppedSinceLog++;
    this.metrics?.dropped(1);
    const now = Date.now();
    if (now - this.lastDropLog >= 10_000) {
      this.log.error(
        { dropped: this.droppedSinceLog, droppedTotal: this.droppedTotal, maxQueue: this.queue.capacity },
        "step history queue full: events dropped (the database is too slow or away)",
      );
      this.lastDropLog = now;
      this.droppedSinceLog = 0;
    }
  }

  /**
   * Resolves once the schema is migrated and everything queued before the call is written, or after
   * the first failure (the loop then retries on its own).
   */
  async flush(): Promise<void> {
    for (let guard = 0; guard < 1_000_000 && (this.queue.length > 0 || !this.migrated); guard++) {
      await this.exclusive(() => this.runOnce(true));
      if (this.failures > 0) return;
    }
  }

  /** Stops the loop and writes what is queued, retrying for up to `closeTimeout` if the database is away. */
  async close(): Promise<void> {
    if (this.stateName === "closed") return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + this.closeTimeout;
    while (this.queue.length > 0) {
      await this.exclusive(() => this.runOnce(true));
      if (this.failures === 0) continue;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, Math.min(this.backoff(), Math.max(0, deadline - Date.now()))));
    }
    if (this.queue.length > 0) {
      this.log.error(
        { lost: this.queue.length },
        `step history: ${this.queue.length} queued events could not be written before shutdown`,
      );
      this.metrics?.dropped(this.queue.length);
      this.droppedTotal += this.queue.length;
    }
    this.stateName = "closed";
    try {
      await this.hdb.destroy();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "step history: closing the database failed");
    }
  }

  private kick(): void {
    if (this.busy || this.closing) return;
    if (this.failures > 0 && Date.now() < this.retryAt) return;
    if (this.migrated && this.queue.length === 0) return;
    void this.exclusive(() => this.runOnce(false)).then(() => {
      // A full batch waiting: go on at once rather than at the next tick.
      if (!this.closing && this.failures === 0 && this.queue.length >= this.batchSize) this.kick();
    });
  }

  /** One batch at a time: the loop, flush() and close() never write concurrently. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.lock.then(async () => {
      this.busy = true;
      try {
        await fn();
      } finally {
        this.busy = false;
      }
    });
    this.lock = run;
    return run;
  }

  /** One step of the loop: migrate if needed, else write one batch. Never throws. */
  private async runOnce(ignoreBackoff: boolean): Promise<void> {
    if (!ignoreBackoff && this.failures > 0 && Date.now() < this.retryAt) return;
    let batch: QueuedItem[] = [];
    try {
      if (!this.migrated) {
        this.appliedMigrations = await migrateToLatest(
          this.hdb.db as unknown as Kysely<unknown>,
          this.hdb.dialect.name,
        );
        this.migrated = true;
        if (this.appliedMigrations.length > 0) {
          this.log.info({ migrations: this.appliedMigrations }, "step history: schema migrated");
        }
      }
      // Logs weigh their text: a batch carries at most MAX_BATCH_LOG_BYTES of them (at least one item).
      batch = this.queue.take(this.narrowed, itemBytes, MAX_BATCH_LOG_BYTES);
      this.logBytes -= batch.reduce((n, item) => n + itemBytes(item), 0);
      if (batch.length > 0) {
        const staged = await writeBatch(this.hdb, this.cache, batch);
        for (const [stepId, ref] of staged) this.cache.set(stepId, ref);
        this.writtenTotal += batch.length;
        this.metrics?.written(batch.length);
        this.narrowed = Math.min(this.batchSize, this.narrowed * 2);
        this.strikes = 0;
      }
      if (this.failures > 0) {
        this.log.info({ after: this.failures }, "step history: the database answers again");
      }
      this.failures = 0;
      this.stateName = "ready";
    } catch (err) {
      const reachable = this.migrated && batch.length > 0 && (await this.probe());
      if (reachable) {
        // The database answers but refuses this batch: one event in it cannot be written. Halve the
        // batch until that event is alone, then drop it (counted) rather than retry it forever.
        this.failures = 1;
        if (batch.length > 1) {
          this.narrowed = Math.max(1, Math.floor(batch.length / 2));
        } else if (++this.strikes >= 3) {
          this.strikes = 0;
          this.droppedTotal += 1;
          this.metrics?.dropped(1);
          this.log.error(
            { err: (err as Error).message, stepId: batch[0]?.stepId, status: describeItem(batch[0]) },
            "step history: an event the database refuses was dropped",
          );
          batch = [];
        }
      } else {
        this.failures++;
      }
      this.queue.putBack(batch);
      this.logBytes += batch.reduce((n, item) => n + itemBytes(item), 0);
      this.retryAt = Date.now() + this.backoff();
      this.stateName = "retrying";
      this.metrics?.writeError();
      const cause = (err as { cause?: unknown }).cause;
      this.log.error(
        {
          err: (err as Error).message,
          ...(cause instanceof Error ? { cause: cause.message } : {}),
          attempt: this.failures,
          retryInMs: this.retryAt - Date.now(),
          queued: this.queue.length,
        },
        this.migrated
          ? "step history: writing failed; will retry (scheduling goes on)"
          : "step history: the database is not reachable; will retry (scheduling goes on)",
      );
    }
  }

  /** Whether the database answers a trivial query. */
  private async probe(): Promise<boolean> {
    try {
      await sql`SELECT 1`.execute(this.hdb.db);
      return true;
    } catch {
      return false;
    }
  }

  private backoff(): number {
    return Math.min(this.retryMax, this.retryInitial * 2 ** Math.min(20, Math.max(0, this.failures - 1)));
  }
}
