/**
 * The step history as luigid runs it: the database, the writer, the recorder the scheduler calls and
 * the page queries, created from `[step_history] db_connection`.
 */
import type { Registry } from "prom-client";
import { ConfigError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { openHistoryDb, type HistoryDb } from "./database.js";
import { historyMetrics } from "./metrics.js";
import { HistoryQueries } from "./queries.js";
import { StepHistoryRecorder } from "./recorder.js";
import { TrendQueries } from "./trend-queries.js";
import { DB_CONNECTION_SETTING, parseDbUrl, redactUrl, type DbTarget } from "./url.js";
import { HistoryWriter, type WriterOptions } from "./writer.js";

export interface StepHistoryOptions {
  /** The db_connection URL. A malformed or unsupported one throws a ConfigError at once. */
  url: string;
  logger: Logger;
  /** Relative SQLite paths resolve against this; default the working directory. */
  cwd?: string;
  registry?: Registry;
  /**
   * Create a SQLite file's missing directory (luigid does for its default location, beside the state
   * file). Default false: `open()` reports the missing directory instead.
   */
  createDirectory?: boolean;
  writer?: Omit<WriterOptions, "metrics">;
}

export class StepHistory {
  readonly recorder: StepHistoryRecorder;
  readonly writer: HistoryWriter;
  readonly queries: HistoryQueries;
  /** The timeline's and the duration trends' queries (/history/timeline.json, /tasklist). */
  readonly trends: TrendQueries;
  readonly target: DbTarget;
  readonly hdb: HistoryDb;
  /** The URL with its password hidden, for logs. */
  readonly where: string;
  private readonly log: Logger;

  constructor(options: StepHistoryOptions) {
    const log = options.logger;
    this.log = log;
    this.target = parseDbUrl(options.url, options.cwd);
    this.where = redactUrl(options.url);
    this.hdb = openHistoryDb(
      this.target,
      (err) => log.warn({ err: err.message }, "step history: a database connection failed"),
      { createDirectory: options.createDirectory ?? false },
    );
    const metrics = options.registry
      ? historyMetrics(options.registry, () => this.writer.queueLength)
      : undefined;
    this.writer = new HistoryWriter(this.hdb, log, { ...options.writer, ...(metrics ? { metrics } : {}) });
    this.recorder = new StepHistoryRecorder(this.writer);
    this.queries = new HistoryQueries(this.hdb.db);
    this.trends = new TrendQueries(this.hdb.db);
  }

  /**
   * Checks, before luigid serves, that the database can be used; writes nothing. A database that refuses
   * (none of that name, bad credentials, an unusable SQLite path) throws a ConfigError naming
   * db_connection, and the handle is closed. One that does not answer yet is logged and left to the
   * writer, which retries as for an outage.
   */
  async open(): Promise<void> {
    const verdict = await this.hdb.dialect.checkAtStart(this.hdb.db);
    if (verdict.kind === "refused") {
      await this.hdb.destroy().catch(() => undefined);
      throw new ConfigError(`${DB_CONNECTION_SETTING} = ${this.where}: ${verdict.why}`, {
        section: "step_history",
        key: "db_connection",
      });
    }
    if (verdict.kind === "unreachable") {
      this.log.warn(
        { db: this.where, err: verdict.why },
        `step history: the database does not answer yet (${verdict.why}); luigid serves and keeps trying`,
      );
    }
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
