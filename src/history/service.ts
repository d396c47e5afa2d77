/**
 * The step history as luigid runs it: the database, the writer, the recorder the scheduler calls and
 * the page queries, created from `[step_history] db_connection`.
 */
import type { Registry } from "prom-client";
import type { Logger } from "../log/logger.js";
import { openHistoryDb, type HistoryDb } from "./database.js";
import { historyMetrics } from "./metrics.js";
import { HistoryQueries } from "./queries.js";
import { StepHistoryRecorder } from "./recorder.js";
import { parseDbUrl, redactUrl, type DbTarget } from "./url.js";
import { HistoryWriter, type WriterOptions } from "./writer.js";

export interface StepHistoryOptions {
  /** The db_connection URL. A malformed or unsupported one throws a ConfigError at once. */
  url: string;
  logger: Logger;
  /** Relative SQLite paths resolve against this; default the working directory. */
  cwd?: string;
  registry?: Registry;
  writer?: Omit<WriterOptions, "metrics">;
}

export class StepHistory {
  readonly recorder: StepHistoryRecorder;
  readonly writer: HistoryWriter;
  readonly queries: HistoryQueries;
  readonly target: DbTarget;
  readonly hdb: HistoryDb;
  /** The URL with its password hidden, for logs. */
  readonly where: string;

  constructor(options: StepHistoryOptions) {
    const log = options.logger;
    this.target = parseDbUrl(options.url, options.cwd);
    this.where = redactUrl(options.url);
    this.hdb = openHistoryDb(this.target, (err) =>
      log.warn({ err: err.message }, "step history: a database connection failed"),
    );
    const metrics = options.registry
      ? historyMetrics(options.registry, () => this.writer.queueLength)
      : undefined;
    this.writer = new HistoryWriter(this.hdb, log, { ...options.writer, ...(metrics ? { metrics } : {}) });
    this.recorder = new StepHistoryRecorder(this.writer);
    this.queries = new HistoryQueries(this.hdb.db);
  }

  /** Starts recording and writing (call after the scheduler's journal replay). */
  start(): void {
    this.recorder.arm();
    this.writer.start();
  }

  /** Writes what is queued and closes the database. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
