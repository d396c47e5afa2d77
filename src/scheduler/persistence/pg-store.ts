/**
 * luigid's state in PostgreSQL (`[scheduler] state_url`): the journal and the snapshot in tables, and
 * the lead among the luigids that share them.
 *
 * - Exactly one luigid per state is active: the holder of a session advisory lock (its key derived from
 *   a fixed namespace and the schema the tables are in) on a connection of its own. The lock goes with
 *   the connection: a luigid killed, or cut off long enough for PostgreSQL to drop its session, loses it.
 * - Fencing: whoever takes the lock raises `generation` in `luigid_state_meta`; every journal commit
 *   checks, in its own transaction and under a share lock of that row, that the generation is still the
 *   one it raised. A luigid that was paused or cut off and so lost the lock cannot commit anything after
 *   the next one took over; its first refused commit, or the loss of its lock connection, makes it stop
 *   serving writes.
 * - Group commit: the entries of the calls that arrive while a commit is in flight are written together
 *   in the next transaction; every answer waits for the commit of its entry.
 * - Standbys follow: every commit NOTIFYs a channel; a standby listens to it, and polls every second as
 *   a backstop, and hands the new entries (or, when the journal was folded past what it has, the new
 *   snapshot and the entries after it) to its scheduler. It waits for the lock (pg_advisory_lock, which
 *   PostgreSQL grants the moment the holder's session ends), and tries it every second besides.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { ConfigError } from "../../errors.js";
import { maskUrl } from "../../contrib/shared/mask.js";
import { requireOptional } from "../../loader/optional-package.js";
import type { Logger } from "../../log/logger.js";
import type { FollowUpdate, SharedStateStore, StoreEvents } from "./durable.js";
import type { JournalEntry } from "./journal.js";
import { migrateState } from "./pg-migrations.js";
import { parseStateFile, type StateFile, type StoredState } from "./store.js";

/** The advisory lock's namespace: with the tables' schema, it makes the lock key. */
export const STATE_LOCK_NAMESPACE = "luigi-ts/luigid-state";

/** A commit refused because another luigid raised the generation (it took over). */
export class FencedError extends Error {}

export interface PgStateStoreOptions {
  /** postgresql://user:password@host:port/db?options=-csearch_path%3Dschema */
  url: string;
  logger: Logger;
  /** Seconds between two lock attempts and polls of a standby; also the active one's heartbeat. Default 1. */
  interval?: number;
}

interface Job {
  entry?: { s: number; t: number; m: string; a: string };
  /** A snapshot: its sequence number, time, and JSON text (a StateFile). */
  snapshot?: { seq: number; savedAt: number; body: string };
  resolve: () => void;
  reject: (err: Error) => void;
}

type PgModule = typeof pg;

/** node-postgres reads BIGINT as text. */
function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** The signed 64-bit advisory lock key of a namespace, as text (PostgreSQL's bigint). */
export function advisoryKey(namespace: string): string {
  return createHash("sha256").update(namespace).digest().readBigInt64BE(0).toString();
}

export class PgStateStore implements SharedStateStore {
  readonly canSetAside = false;
  readonly snapshotPart = "the table luigid_state_snapshot";
  readonly journalPart = "the table luigid_state_journal";
  readonly where: string;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private events: StoreEvents | undefined;
  private lockConn: pg.Client | undefined;
  private db: pg.Client;
  private lockKey = "";
  private channel = "";
  private role: "standby" | "active" | "lost" | "closed" = "standby";
  private generation = 0;
  /** The last sequence number handed to the scheduler (standby) or written (active). */
  private seq = 0;
  private lastActiveUrl: string | undefined;
  private advertised = "";
  private queue: Job[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private pollAgain = false;
  private polling: Promise<void> | undefined;
  /** One transaction at a time on `db`: a commit, a read, a takeover. */
  private dbTurn: Promise<unknown> = Promise.resolve();
  private dbBroken = false;
  private saidStandby = false;
  /** The batch being committed. */
  private inFlight: Job[] = [];
  private signalFailed: () => void = () => undefined;
  /** Settles when the lead is lost. */
  private readonly failed = new Promise<void>((resolve) => (this.signalFailed = resolve));
  private waitingForLock = false;

  private constructor(
    private readonly pgm: PgModule,
    private readonly url: string,
    options: PgStateStoreOptions,
    db: pg.Client,
  ) {
    this.where = maskUrl(url);
    this.log = options.logger;
    this.intervalMs = Math.max(50, (options.interval ?? 1) * 1000);
    this.db = db;
  }

  /**
   * Connects, creates or migrates the tables and reads the state, writing nothing else. The store is a
   * standby until open() (luigid calls it once it listens) takes the lead, if it is free.
   */
  static async connect(options: PgStateStoreOptions): Promise<{ store: PgStateStore; stored: StoredState }> {
    if (!/^postgres(ql)?:\/\//i.test(options.url)) {
      throw new ConfigError(`[scheduler] state_url = ${maskUrl(options.url)}: expected a postgresql:// URL`, {
        section: "scheduler",
        key: "state_url",
        value: maskUrl(options.url),
        expected: "postgresql://...",
      });
    }
    const pgm = requireOptional<PgModule>("pg", "luigid's state in PostgreSQL ([scheduler] state_url)");
    const where = maskUrl(options.url);
    const db = await openClient(pgm, options.url, where, () => undefined);
    const store = new PgStateStore(pgm, options.url, options, db);
    try {
      db.removeAllListeners("error");
      db.on("error", (err) => store.dbFailed(err));
      const schema = (await db.query<{ s: string | null }>("SELECT current_schema() AS s")).rows[0]?.s;
      if (!schema) {
        throw new Error(
          `the state database ${where} has no schema to create luigid's tables in (its search_path names none that exists)`,
        );
      }
      const ns = `${STATE_LOCK_NAMESPACE}:${schema}`;
      store.lockKey = advisoryKey(ns);
      store.channel = `luigid_state_${createHash("sha256").update(ns).digest("hex").slice(0, 16)}`;
      const applied = await migrateState(db, advisoryKey(`${ns}:migrations`));
      await store.listen(db);
      if (applied.length > 0) options.logger.info({ applied }, `state tables migrated in ${where}`);
      const stored: StoredState = { snapshot: undefined, entries: [], skipped: [], damaged: [] };
      const read = await store.readSince(0);
      stored.snapshot = read.snapshot;
      stored.entries = read.entries;
      store.seq = lastSeq(read, 0);
      return { store, stored };
    } catch (err) {
      await db.end().catch(() => undefined);
      throw err;
    }
  }

  /** The URL this luigid is reached at, written in the meta table when it takes the lead. */
  advertise(url: string): void {
    this.advertised = url;
  }

  attach(events: StoreEvents): void {
    this.events = events;
  }

  activeUrl(): string | undefined {
    return this.lastActiveUrl;
  }

  /** The fencing generation this luigid raised when it took the lead (0 before). */
  get leadGeneration(): number {
    return this.generation;
  }

  setAside(part: string): string {
    throw new Error(`${part} is damaged; luigid does not start on it (repair or empty it)`);
  }

  /** Starts trying the lock at once and then every second, and listening for the active one's commits. */
  open(): void {
    if (this.timer || this.role === "closed") return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  append(entry: JournalEntry, _line?: string): Promise<void> {
    // Serialised now: the arguments are the caller's, and may change after the call returns.
    return this.enqueue({ entry: { s: entry.s, t: entry.t, m: entry.m, a: JSON.stringify(entry.a) } });
  }

  compact(file: StateFile): Promise<void> {
    return this.enqueue({ snapshot: { seq: file.seq, savedAt: file.savedAt, body: JSON.stringify(file) } });
  }

  /** Nothing to do at the cut: the commit deletes only the rows up to the snapshot's seq. */
  cut(): void {}

  compactText(seq: number, savedAt: number, text: string): Promise<void> {
    return this.enqueue({ snapshot: { seq, savedAt, body: text } });
  }

  async sync(): Promise<void> {
    // A commit that hangs on a dead link is given up when the lead is lost: no waiting for it.
    while (this.flushing && !this.failure) await Promise.race([this.flushing, this.failed]);
  }

  release(): void {
    if (this.role === "closed") return;
    this.role = "closed";
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.reject(new Error("luigid is stopping"));
    const lockConn = this.lockConn;
    this.lockConn = undefined;
    if (this.failure) {
      // The lead is lost: the link may be dead, and a polite end would wait for it.
      if (lockConn) destroyConnection(lockConn);
      destroyConnection(this.db);
    } else {
      void lockConn?.end().catch(() => undefined);
      void this.db.end().catch(() => undefined);
    }
  }

  // --- the active one's writes -------------------------------------------------------------------

  private enqueue(job: Omit<Job, "resolve" | "reject">): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.role !== "active") return Promise.reject(new Error("this luigid does not hold the lead"));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Commits everything queued, a transaction at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const batch = this.queue.splice(0);
        this.inFlight = batch;
        try {
          await this.commit(batch);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          for (const job of batch) job.reject(error);
          this.lose(
            err instanceof FencedError
              ? err.message
              : `a journal commit failed (${error.message}): the state database is unreachable or refused it`,
          );
          break;
        }
        this.inFlight = [];
        for (const job of batch) job.resolve();
      }
      if (this.failure) for (const job of this.queue.splice(0)) job.reject(this.failure);
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * Listens on the journal's connection (idle between a standby's reads, so notifications arrive at
   * once; the lock's connection may be blocked in a wait for the lock).
   */
  private async listen(db: pg.Client): Promise<void> {
    db.on("notification", (n) => {
      if (n.channel === this.channel) this.schedulePoll();
    });
    await db.query(`LISTEN "${this.channel}"`);
  }

  /** Runs `fn` with the journal's connection once the previous user is done; a standby reconnects a broken one. */
  private withDb<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
    const turn = this.dbTurn.then(async () => {
      if (this.dbBroken && this.role === "standby") {
        const db = await openClient(this.pgm, this.url, this.where, (err) => this.dbFailed(err));
        await this.listen(db);
        void this.db.end().catch(() => undefined);
        this.db = db;
        this.dbBroken = false;
      }
      return fn(this.db);
    });
    this.dbTurn = turn.catch(() => undefined);
    return turn;
  }

  private commit(batch: Job[]): Promise<void> {
    return this.withDb((db) => this.commitOn(db, batch));
  }

  private async commitOn(db: pg.Client, batch: Job[]): Promise<void> {
    const entries = batch.flatMap((job) => (job.entry ? [job.entry] : []));
    let snapshot: Job["snapshot"];
    for (const job of batch)
      if (job.snapshot && job.snapshot.seq >= (snapshot?.seq ?? 0)) snapshot = job.snapshot;
    await db.query("BEGIN");
    try {
      const row = (
        await db.query<{ generation: string }>(
          "SELECT generation FROM luigid_state_meta WHERE id = 1 FOR SHARE",
        )
      ).rows[0];
      const current = num(row?.generation);
      if (current !== this.generation) {
        throw new FencedError(
          `another luigid took the lead (generation ${current}, this one's ${this.generation}): this one stops serving writes`,
        );
      }
      if (entries.length > 0) {
        await db.query(
          `INSERT INTO luigid_state_journal (seq, t, method, args, generation)
           SELECT s, t, m, a, $5 FROM unnest($1::bigint[], $2::float8[], $3::text[], $4::text[]) AS e(s, t, m, a)`,
          [
            entries.map((e) => e.s),
            entries.map((e) => e.t),
            entries.map((e) => e.m),
            entries.map((e) => e.a),
            this.generation,
          ],
        );
        this.seq = entries[entries.length - 1]?.s ?? this.seq;
      }
      if (snapshot) {
        await db.query(
          `INSERT INTO luigid_state_snapshot (id, seq, saved_at, body, generation) VALUES (1, $1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at,
             body = EXCLUDED.body, generation = EXCLUDED.generation
           WHERE luigid_state_snapshot.seq <= EXCLUDED.seq`,
          [snapshot.seq, snapshot.savedAt, snapshot.body, this.generation],
        );
        await db.query("DELETE FROM luigid_state_journal WHERE seq <= $1", [snapshot.seq]);
      }
      await db.query("SELECT pg_notify($1, $2)", [this.channel, String(this.seq)]);
      await db.query("COMMIT");
    } catch (err) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  private lose(reason: string): void {
    if (this.role !== "active") return;
    this.role = "lost";
    this.failure = new Error(reason);
    this.signalFailed();
    // Whatever waits for a commit is answered now: a commit in flight on a dead link may never return.
    for (const job of [...this.inFlight.splice(0), ...this.queue.splice(0)]) job.reject(this.failure);
    this.log.error({ state: this.where }, `luigid lost the lead: ${reason}`);
    this.events?.lost(reason);
  }

  private dbFailed(err: Error): void {
    this.dbBroken = true;
    if (this.role === "active") this.lose(`the connection to the state database failed (${err.message})`);
  }

  // --- the lock, the heartbeat and following -----------------------------------------------------------

  private async tick(): Promise<void> {
    if (this.ticking || this.role === "closed" || this.role === "lost") return;
    this.ticking = true;
    try {
      if (this.role === "active") {
        await this.heartbeat();
        return;
      }
      const lockConn = await this.lockConnection();
      // While a wait for the lock is pending on its connection, the poll below is all there is to do.
      const got =
        this.waitingForLock ||
        (
          await lockConn.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
            this.lockKey,
          ])
        ).rows[0]?.ok;
      if (got === true && !this.waitingForLock) await this.takeOver();
      else {
        if (!this.waitingForLock) this.waitForLock(lockConn);
        if (!this.saidStandby) {
          this.saidStandby = true;
          this.log.info(
            { state: this.where, active: this.lastActiveUrl },
            `standby: another luigid holds the lead on ${this.where} (${this.lastActiveUrl ?? "its URL is not known yet"}); following its journal, answering reads only`,
          );
        }
        await this.poll();
      }
    } catch (err) {
      if (this.role === "standby")
        this.log.warn(
          { err: (err as Error).message, state: this.where },
          "standby: the state database did not answer",
        );
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Waits on the lock connection until the lock is granted (pg_advisory_lock blocks until the holder's
   * session ends: a standby takes over the moment PostgreSQL drops the active one's), then takes over.
   * A wait cut by the connection's loss is started again by the next tick, on a new connection.
   */
  private waitForLock(conn: pg.Client): void {
    this.waitingForLock = true;
    conn.query("SELECT pg_advisory_lock($1::bigint)", [this.lockKey]).then(
      () => {
        this.waitingForLock = false;
        if (this.role !== "standby") return;
        this.takeOver().catch((err: unknown) => {
          // Held but not taken over (the journal connection failed): the next tick tries again.
          this.log.warn({ err: (err as Error).message }, "standby: taking over failed; trying again");
          void conn.query("SELECT pg_advisory_unlock($1::bigint)", [this.lockKey]).catch(() => undefined);
        });
      },
      () => {
        this.waitingForLock = false;
      },
    );
  }

  /** The lock's connection; a standby opens a new one when the last one went away. */
  private async lockConnection(): Promise<pg.Client> {
    if (this.lockConn) return this.lockConn;
    const conn = await openClient(this.pgm, this.url, this.where, (err) => this.lockLost(conn, err));
    conn.on("end", () => this.lockLost(conn, new Error("the connection ended")));
    // PostgreSQL drops a session that goes silent (a luigid paused, or cut off): its lock with it. The
    // heartbeat (every second) keeps a live one well inside these limits.
    for (const setting of [
      "SET idle_session_timeout = '10s'",
      "SET tcp_keepalives_idle = 5",
      "SET tcp_keepalives_interval = 1",
      "SET tcp_keepalives_count = 5",
    ]) {
      await conn.query(setting).catch(() => undefined);
    }
    if (this.role === "closed") {
      void conn.end().catch(() => undefined);
      throw new Error("luigid is stopping");
    }
    this.lockConn = conn;
    return conn;
  }

  private lockLost(conn: pg.Client, err: Error): void {
    if (this.lockConn !== conn) return;
    this.lockConn = undefined;
    void conn.end().catch(() => undefined);
    if (this.role === "active") this.lose(`the connection holding the lock was lost (${err.message})`);
  }

  private async heartbeat(): Promise<void> {
    const conn = this.lockConn;
    if (!conn) return this.lose("the connection holding the lock was lost");
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("no answer within 3 s")), 3000).unref(),
    );
    try {
      await Promise.race([conn.query("SELECT 1"), timeout]);
    } catch (err) {
      this.lose(`the connection holding the lock does not answer (${(err as Error).message})`);
    }
  }

  /** Holding the lock: raise the generation, read what was committed since the last follow, serve. */
  private takeOver(): Promise<void> {
    return this.withDb((db) => this.takeOverOn(db));
  }

  private async takeOverOn(db: pg.Client): Promise<void> {
    // Once: the wait for the lock and a tick's try may both have it granted.
    if (this.role !== "standby") return;
    const row = (
      await db.query<{ generation: string }>(
        `UPDATE luigid_state_meta SET generation = generation + 1, active_url = $1, active_since = now()
         WHERE id = 1 RETURNING generation`,
        [this.advertised || null],
      )
    ).rows[0];
    this.generation = num(row?.generation);
    const tail = await this.readOn(db, this.seq);
    this.seq = lastSeq(tail, this.seq);
    this.lastActiveUrl = this.advertised || undefined;
    this.role = "active";
    this.log.info(
      { state: this.where, generation: this.generation, seq: this.seq },
      `active: this luigid holds the lead on ${this.where} (generation ${this.generation})`,
    );
    this.events?.promote(tail);
  }

  private schedulePoll(): void {
    if (this.role !== "standby") return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    void this.poll().catch((err: unknown) =>
      this.log.warn({ err: (err as Error).message }, "standby: reading the journal failed"),
    );
  }

  /** Standby: hands what was committed since the last poll to the scheduler. */
  private async poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = (async () => {
      do {
        this.pollAgain = false;
        // Read and applied in one turn of the connection: a takeover queued meanwhile reads after it.
        await this.withDb(async (db) => {
          if (this.role !== "standby") return;
          const update = await this.readOn(db, this.seq);
          if (this.role !== "standby") return;
          this.seq = lastSeq(update, this.seq);
          if (update.snapshot || update.entries.length > 0) this.events?.follow(update);
        });
      } while (this.pollAgain);
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /**
   * What was committed after `seq`, in one consistent read: the journal rows after it, and also the
   * snapshot when the journal was folded past `seq` (its rows are gone). Reads the active one's URL too.
   */
  private readSince(seq: number): Promise<FollowUpdate> {
    return this.withDb((db) => this.readOn(db, seq));
  }

  private async readOn(db: pg.Client, seq: number): Promise<FollowUpdate> {
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      const meta = (
        await db.query<{ active_url: string | null }>("SELECT active_url FROM luigid_state_meta WHERE id = 1")
      ).rows[0];
      this.lastActiveUrl = meta?.active_url ?? undefined;
      const snapSeq = num(
        (await db.query<{ seq: string }>("SELECT seq FROM luigid_state_snapshot WHERE id = 1")).rows[0]
          ?.seq ?? 0,
      );
      const first = num(
        (await db.query<{ s: string | null }>("SELECT min(seq) AS s FROM luigid_state_journal")).rows[0]?.s ??
          0,
      );
      let snapshot: StateFile | undefined;
      let from = seq;
      // The journal no longer holds what follows `seq`: start again from the snapshot.
      if (snapSeq > seq && (first === 0 || first > seq + 1)) {
        const body = (await db.query<{ body: string }>("SELECT body FROM luigid_state_snapshot WHERE id = 1"))
          .rows[0]?.body;
        if (body !== undefined) {
          try {
            snapshot = parseStateFile(body);
          } catch (err) {
            throw new Error(`the snapshot in luigid_state_snapshot is damaged: ${(err as Error).message}`);
          }
          from = snapshot.seq;
        }
      }
      const rows = (
        await db.query<{ seq: string; t: number; method: string; args: string }>(
          "SELECT seq, t, method, args FROM luigid_state_journal WHERE seq > $1 ORDER BY seq",
          [from],
        )
      ).rows;
      await db.query("COMMIT");
      const entries: JournalEntry[] = rows.map((r) => ({
        s: num(r.seq),
        t: num(r.t),
        m: r.method,
        a: JSON.parse(r.args) as unknown,
      }));
      return { snapshot, entries };
    } catch (err) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }
}

/** Closes a client's socket at once (node-postgres' end() waits for the server, over a link maybe dead). */
function destroyConnection(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  if (stream) stream.destroy();
  else void client.end().catch(() => undefined);
}

function lastSeq(update: FollowUpdate, seq: number): number {
  const last = update.entries[update.entries.length - 1];
  return Math.max(seq, last?.s ?? 0, update.snapshot?.seq ?? 0);
}

/** A connected client; a refusal says which database (password masked) and why. */
async function openClient(
  pgm: PgModule,
  url: string,
  where: string,
  onError: (err: Error) => void,
): Promise<pg.Client> {
  const client = new pgm.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 10_000 });
  client.on("error", onError);
  try {
    await client.connect();
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new Error(
      `could not connect to the state database ${where}: ${(e.message ?? String(err)).replaceAll(url, where)}`,
      { cause: err },
    );
  }
  return client;
}
