import { ErrorCode, SchedulerError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { silentLogger } from "../../log/logger.js";
import type { SchedulerApi } from "../api.js";
import type { SchedulerHooks } from "../core.js";
import { LocalScheduler } from "../local.js";
import { SCHEDULER_METHOD_LIST } from "../methods.js";
import type { SchedulerOptions } from "../options.js";
import { Scheduler } from "../scheduler.js";
import { Compactor } from "./compactor.js";
import type { JournalEntry } from "./journal.js";
import { coreFrom, replayEntry, snapshotOf } from "./replay.js";
import { FileStateStore } from "./file-store.js";
import { StateLock } from "./state-lock.js";
import type { DamagedPart, StateFile, StateStore, StoredState } from "./store.js";

/**
 * SchedulerApi methods that change state (`mutating` in the method table), journaled with their arguments
 * and the time they saw. Replaying them through the pure core with the same clock rebuilds the same state:
 * the core is deterministic.
 */
const JOURNALED: ReadonlySet<string> = new Set(
  SCHEDULER_METHOD_LIST.filter((m) => m.mutating).map((m) => m.member),
);

/** Read-only queries that prune first, as Luigi's do (`prunes`): journaled as a prune at that time. */
const PRUNING_QUERIES: ReadonlySet<string> = new Set(
  SCHEDULER_METHOD_LIST.filter((m) => m.prunes).map((m) => m.member),
);

/** Calls on soft state only the active luigid holds (`activeOnly`): not journaled, refused by a standby. */
const ACTIVE_ONLY: ReadonlySet<string> = new Set(
  SCHEDULER_METHOD_LIST.filter((m) => m.activeOnly).map((m) => m.member),
);

export interface DurableSchedulerTuning {
  options?: Partial<SchedulerOptions>;
  hooks?: SchedulerHooks;
  logger?: Logger;
  /** Fold the journal into a new snapshot after this many journaled calls (an add_tasks counts its steps). Default 50,000. */
  compactEvery?: number;
  /** Epoch seconds; default the real clock. */
  clock?: () => number;
  /**
   * Where the journal is folded into a snapshot during service: `thread` (luigid's default) in a worker
   * thread holding a replica of the state, so that answers are not held up; `inline` (the default here)
   * on the event loop, before the call that reached `compactEvery` is answered. Start-up and shutdown
   * compactions are always inline.
   */
  compaction?: "thread" | "inline";
}

/**
 * Where the state lives: a state path, locked by load(), or a lock already held on one (luigid takes it
 * before anything else). Either way the scheduler owns the lock from then on: close() and abandon()
 * release it. The snapshot is the state path; the journal is `<statePath>.journal` beside it.
 */
export type DurableSchedulerInit = DurableSchedulerTuning & ({ statePath: string } | { lock: StateLock });

/** What opening the state found, for the start-up log. */
export interface OpenReport {
  steps: number;
  replayed: number;
  skippedLines: number;
  /** Where a damaged snapshot or journal was moved, if one was (filled by start()). */
  setAside: string[];
  millis: number;
}

/**
 * Whether this luigid serves writes: `active` does; a `standby` follows the journal another luigid
 * writes and answers reads only; `lost` was active and can no longer write (its lock or its database
 * went away, or another one took over): it refuses writes until it stops.
 */
export type DurableRole = "active" | "standby" | "lost";

/** New journal entries (and, when the journal was folded past them, the snapshot) for a standby. */
export interface FollowUpdate {
  snapshot?: StateFile | undefined;
  entries: JournalEntry[];
}

/** What a store that shares its state with other luigids (PgStateStore) tells the scheduler. */
export interface StoreEvents {
  /** Standby: the active one committed these. */
  follow(update: FollowUpdate): void;
  /** Standby: this luigid took the lead; `tail` is what was committed since the last follow. */
  promote(tail: FollowUpdate): void;
  /** Active: this luigid may no longer write (`reason` says why). */
  lost(reason: string): void;
}

/** A store that other luigids share: the scheduler registers itself for its events. */
export interface SharedStateStore extends StateStore {
  attach(events: StoreEvents): void;
  /** The active luigid's advertised URL, as last read; undefined when unknown. */
  activeUrl(): string | undefined;
}

/** A mutating call on a standby: names the active luigid, as the wire's STANDBY error does. */
export function standbyError(activeUrl: string | undefined): SchedulerError {
  const who = activeUrl ? `the active one is ${activeUrl}` : "no active luigid is known yet";
  return new SchedulerError(ErrorCode.STANDBY, `this luigid is a standby and does not take changes: ${who}`, {
    details: activeUrl ? { active: activeUrl } : {},
  });
}

/**
 * The scheduler as luigid runs it: the pure core, a snapshot and a journal kept by a StateStore (files,
 * or PostgreSQL tables). Every state-changing call is journaled before its answer is returned, so kill -9
 * loses nothing acknowledged; the journal is folded into a new snapshot every `compactEvery` entries and
 * at shutdown. A damaged snapshot or journal is moved aside (never deleted) and the daemon starts with
 * what it could read.
 *
 * Opening is two steps so that a start that fails changes nothing on disk: load() takes the lock and
 * builds the state in memory, reading only; start(), once luigid listens, moves damaged files aside,
 * opens the journal and rewrites it if it had a torn line. abandon() lets go without writing.
 *
 * With a shared store (several luigids on one `state_url`) a scheduler may start as a standby: it
 * applies what the active one journals, replayed through the pure core exactly as a restart replays,
 * refuses every state change with STANDBY, and turns active when the store hands it the lead.
 */
export class DurableScheduler {
  readonly api: SchedulerApi;
  readonly report: OpenReport;
  private _core: Scheduler;
  private local: LocalScheduler;
  private started = false;
  private readonly log: Logger;
  private readonly compactEvery: number;
  private readonly toSetAside: DamagedPart[] = [];
  private frozenNow: number | undefined;
  /** The clock calls are journaled with: `clock` of the init (a test's), else the real one. */
  private readonly clock: () => number;
  private readonly schedulerInit: ConstructorParameters<typeof Scheduler>[0];
  private seq = 0;
  private sinceCompaction = 0;
  private closed = false;
  private _role: DurableRole;
  private readonly roleListeners: ((role: DurableRole, reason?: string) => void)[] = [];
  private compactor: Compactor | undefined;
  /** The compaction running in the thread, if one is. */
  private folding: Promise<void> | undefined;

  private constructor(
    init: DurableSchedulerTuning,
    readonly store: StateStore,
    stored: StoredState,
    role: "active" | "standby",
  ) {
    this._role = role;
    this.log = init.logger ?? silentLogger();
    this.compactEvery = init.compactEvery ?? 50_000;
    const started = performance.now();
    const realClock = init.clock ?? ((): number => Date.now() / 1000);
    this.clock = realClock;
    const clock = (): number => this.frozenNow ?? realClock();
    this.schedulerInit = {
      ...init.options,
      pruneOnGetWork: init.options?.pruneOnGetWork ?? false,
      clock,
      ...(init.hooks ? { hooks: init.hooks } : {}),
    };
    this.toSetAside.push(...stored.damaged);

    let file = stored.snapshot;
    let core: Scheduler;
    try {
      core = this.coreFrom(file);
    } catch (err) {
      this.toSetAside.push({
        part: store.snapshotPart,
        message: "the state file could not be loaded; moved aside",
        err: (err as Error).message,
      });
      file = undefined;
      core = new Scheduler(this.schedulerInit);
    }
    this._core = core;
    this.local = new LocalScheduler({ scheduler: core });
    if (file) this.seq = file.seq;

    // Replay what happened after the snapshot.
    let replayed = 0;
    const lost = !file && stored.entries.length > 0 && (stored.entries[0]?.s ?? 0) > 1;
    if (init.compaction === "thread") {
      const { clock: _clock, hooks: _hooks, ...options } = this.schedulerInit;
      this.compactor = new Compactor(options);
      // Sent (copied) before the replay below runs: the thread rebuilds the same state from the same input.
      this.compactor.load(file, lost ? [] : stored.entries);
    }
    if (lost) {
      // The journal continues a snapshot we no longer have: replaying it alone would invent a state.
      this.toSetAside.push({
        part: store.journalPart,
        message: "the journal belongs to a lost snapshot; moved aside",
      });
    } else {
      replayed = this.replayAll(stored.entries);
    }
    if (stored.skipped.length > 0) {
      this.log.warn(
        { lines: stored.skipped.slice(0, 5) },
        `skipped ${stored.skipped.length} unreadable journal line(s)`,
      );
    }
    this.api = this.journaling();
    this.report = {
      steps: core.stepCount,
      replayed,
      skippedLines: stored.skipped.length,
      setAside: [],
      millis: performance.now() - started,
    };
    if ("attach" in store) {
      (store as SharedStateStore).attach({
        follow: (update) => this.follow(update),
        promote: (tail) => this.promote(tail),
        lost: (reason) => this.lose(reason),
      });
    }
  }

  /** The pure core (replaced when a standby reloads a newer snapshot). */
  get core(): Scheduler {
    return this._core;
  }

  /** The state path, absolute with links resolved (file stores); the store's `where` otherwise. */
  get statePath(): string {
    return this.store instanceof FileStateStore ? this.store.statePath : this.store.where;
  }

  get role(): DurableRole {
    return this._role;
  }

  /** Called on every change of role (standby -> active, active -> lost). */
  onRole(listener: (role: DurableRole, reason?: string) => void): void {
    this.roleListeners.push(listener);
  }

  /** Takes the lock and builds the state in memory, writing nothing; start() makes it live. */
  static load(init: DurableSchedulerInit): DurableScheduler {
    const lock = "lock" in init ? init.lock : StateLock.acquire(init.statePath);
    try {
      const store = new FileStateStore(lock);
      return new DurableScheduler(init, store, store.load(), "active");
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * A scheduler on a store already opened and read (PgStateStore): active when the store holds the lead,
   * standby otherwise. A damaged part the store cannot put aside stops it here.
   */
  static fromStore(
    init: DurableSchedulerTuning,
    store: StateStore,
    stored: StoredState,
    role: "active" | "standby",
  ): DurableScheduler {
    const durable = new DurableScheduler(init, store, stored, role);
    const damaged = durable.toSetAside[0];
    if (damaged && !store.canSetAside) {
      throw new Error(
        `${damaged.message.replace(/; moved aside$|: it was moved aside.*$/, "")} (${store.where}${damaged.err ? `: ${damaged.err}` : ""})`,
      );
    }
    return durable;
  }

  /** load() and start() at once. */
  static open(init: DurableSchedulerInit): DurableScheduler {
    const durable = DurableScheduler.load(init);
    durable.start();
    return durable;
  }

  /**
   * Makes the state live, the first write to its files: moves damaged files aside, opens the journal, and
   * rewrites it if load() skipped a line. Idempotent.
   */
  start(): void {
    if (this.started || this.closed) return;
    for (const damaged of this.toSetAside) {
      const aside = this.store.setAside(damaged.part);
      this.report.setAside.push(aside);
      this.log.error(
        { file: damaged.part, movedTo: aside, ...(damaged.err ? { err: damaged.err } : {}) },
        damaged.message,
      );
    }
    this.store.open();
    this.started = true;
    // A torn or damaged line must not stay in front of the lines appended from now on: rewrite then.
    // Otherwise the journal simply goes on, and the next compaction folds it (a restart is not slowed
    // by writing a whole snapshot before listening).
    // So does a compaction that a crash interrupted (both journals are there).
    const interrupted = this.store instanceof FileStateStore && this.store.interrupted;
    if (this.report.skippedLines > 0 || interrupted) this.watch(this.compact());
  }

  /**
   * Writes a snapshot and empties the journal. Only once started, and only by the active one. The file
   * store writes it before returning; a shared store answers the promise of its commit.
   */
  compact(): Promise<void> | undefined {
    if (this.closed || this._role !== "active") return undefined;
    if (!this.started) throw new Error("the scheduler's state is not started: nothing may be written yet");
    this.sinceCompaction = 0;
    return this.store.compact(snapshotOf(this._core, this.seq, Date.now() / 1000));
  }

  /**
   * A compaction during service. With the thread: cuts the journal here (the entries so far go in the
   * snapshot, later ones stay in the journal), the thread packs its replica at the cut, and the store
   * writes the text; one at a time, and the next one starts when it is done if it is due by then. A
   * thread that fails or falls out of step is stopped and compaction is inline from then on.
   */
  private compactSoon(): void {
    if (this.closed || this._role !== "active") return;
    const compactor = this.compactor;
    if (!compactor || compactor.failed) {
      this.watch(this.compact());
      return;
    }
    if (this.folding) return;
    const cut = this.seq;
    const savedAt = Date.now() / 1000;
    this.sinceCompaction = 0;
    try {
      this.store.cut(cut);
    } catch (err) {
      this.stopThread(`the journal could not be cut (${String(err)})`);
      this.watch(this.compact());
      return;
    }
    this.folding = compactor
      .snapshot(savedAt)
      .then(({ seq, text }) => {
        if (seq !== cut) throw new Error(`the compaction thread is at entry ${seq}, the cut at ${cut}`);
        if (this.closed || this._role !== "active") return undefined;
        return this.store.compactText(seq, savedAt, text);
      })
      .catch((err: unknown) => {
        if (this.closed || this._role !== "active") return;
        this.stopThread(String(err));
        this.watch(this.compact());
      })
      .finally(() => {
        this.folding = undefined;
        if (this.sinceCompaction >= this.compactEvery) this.compactSoon();
      });
  }

  private stopThread(reason: string): void {
    if (!this.compactor) return;
    this.log.error({ err: reason }, "the compaction thread failed: compacting on the event loop from now on");
    this.compactor.stop();
    this.compactor = undefined;
  }

  /** Clean shutdown: compacts, closes the journal and releases the lock. Not started: only releases. */
  close(): void {
    if (this.closed) return;
    try {
      if (this.started) {
        this.watch(this.compact());
        this.watch(this.store.sync());
      }
    } finally {
      this.closed = true;
      this.compactor?.stop();
      this.store.release();
    }
  }

  /**
   * close() for a store that commits asynchronously: waits until the last snapshot is committed before
   * letting go. The file store's close is the same as close().
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.started) {
        await this.compact()?.catch((err: unknown) =>
          this.log.error({ err: String(err) }, "the last snapshot could not be written"),
        );
        await this.store.sync();
      }
    } finally {
      this.closed = true;
      this.compactor?.stop();
      this.store.release();
    }
  }

  /** Lets go of the files as kill -9 would: writes nothing more, closes the journal, releases the lock. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    this.store.release();
  }

  private coreFrom(file: StateFile | undefined): Scheduler {
    return coreFrom(file, this.schedulerInit);
  }

  private replayAll(entries: readonly JournalEntry[]): number {
    let replayed = 0;
    for (const entry of entries) {
      if (entry.s <= this.seq) continue;
      this.replay(this.local, entry);
      this.seq = entry.s;
      replayed++;
    }
    return replayed;
  }

  /** Standby: applies what the active one committed, reloading its snapshot when the journal was folded. */
  private follow(update: FollowUpdate): void {
    if (this.closed || this._role !== "standby") return;
    this.compactor?.load(update.snapshot, update.entries);
    if (update.snapshot && update.snapshot.seq > this.seq) {
      this._core = this.coreFrom(update.snapshot);
      this.local = new LocalScheduler({ scheduler: this._core });
      this.seq = update.snapshot.seq;
    }
    this.replayAll(update.entries);
  }

  private promote(tail: FollowUpdate): void {
    if (this.closed || this._role !== "standby") return;
    this.follow(tail);
    this._role = "active";
    this.sinceCompaction = 0;
    for (const listener of this.roleListeners) listener("active");
  }

  private lose(reason: string): void {
    if (this.closed || this._role === "lost") return;
    this._role = "lost";
    for (const listener of this.roleListeners) listener("lost", reason);
  }

  /** A write of the store's that nobody awaits: its failure is the store's to report (lost()). */
  private watch(pending: Promise<void> | undefined): void {
    pending?.catch(() => undefined);
  }

  private replay(local: LocalScheduler, entry: JournalEntry): void {
    replayEntry(local, entry, (t) => (this.frozenNow = t));
  }

  /** Journals one call; answers the promise of its commit when the store commits asynchronously. */
  private record(m: string, a: unknown, t: number): Promise<void> | undefined {
    this.seq++;
    const entry = { s: this.seq, t, m, a };
    const line = JSON.stringify(entry);
    const durable = this.store.append(entry, line);
    this.compactor?.push(line);
    // Weighed by the work a replay would redo: an add_tasks of 500 steps counts 500.
    this.sinceCompaction +=
      m === "addTasks"
        ? Math.max(1, (a as { tasks?: unknown[] }).tasks?.length ?? 1)
        : m === "getWorks"
          ? 1 + ((a as { reports?: unknown[] | null }).reports?.length ?? 0)
          : m === "addStepLogs"
            ? 1 + Math.floor(logBytes(a) / LOG_BYTES_PER_ENTRY)
            : 1;
    if (this.sinceCompaction >= this.compactEvery) this.compactSoon();
    return durable;
  }

  /**
   * The in-process scheduler, every state change journaled at the time it happens. Calls go to the
   * current LocalScheduler (a standby replaces it when it reloads a snapshot).
   */
  private journaling(): SchedulerApi {
    return new Proxy(this.local, {
      get: (_target, prop) => {
        const target = this.local;
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof prop !== "string" || typeof value !== "function") return value;
        const journaled = JOURNALED.has(prop);
        const pruning = PRUNING_QUERIES.has(prop);
        // Called on the LocalScheduler current at call time: a standby may have replaced it meanwhile.
        if (ACTIVE_ONLY.has(prop))
          return (args: unknown) => {
            if (this._role !== "active") throw this.refusal();
            return (value as (a: unknown) => unknown).call(this.local, args);
          };
        if (!journaled && !pruning)
          return (args: unknown) => (value as (a: unknown) => unknown).call(this.local, args);
        return (args: unknown) => {
          if (this.closed) throw new Error("the scheduler is shutting down");
          if (!this.started) throw new Error("the scheduler is starting");
          if (this._role !== "active") {
            // A standby's state is the active one's: it reads, never prunes, never changes anything.
            if (journaled) throw this.refusal();
            return (value as (a: unknown) => unknown).call(this.local, args);
          }
          const t = this.clock();
          // The core is synchronous: freezing the clock for the call makes it see exactly the journaled time.
          this.frozenNow = t;
          let result: unknown;
          // A prune (alone or before a listing) that cannot change anything is not journaled: an idle
          // luigid prunes every second and is watched by visualisers that poll.
          let recorded = true;
          try {
            if (prop === "prune" || pruning) recorded = this._core.pruneDue();
            result = (value as (a: unknown) => unknown).call(this.local, args);
          } finally {
            this.frozenNow = undefined;
          }
          if (!recorded) return result;
          const durable = this.record(journaled ? prop : "prune", journaled ? (args ?? {}) : {}, t);
          // The answer waits for its commit; a failed commit fails the call (and the store reports lost()).
          return durable ? durable.then(() => result) : result;
        };
      },
    });
  }

  private refusal(): SchedulerError {
    if (this._role === "lost")
      return new SchedulerError(
        ErrorCode.STANDBY,
        "this luigid lost the lead and takes no more changes: it is stopping",
      );
    return standbyError("activeUrl" in this.store ? (this.store as SharedStateStore).activeUrl() : undefined);
  }
}

/** Log text that weighs as much in a journal as one call: the journal is folded by what it holds. */
const LOG_BYTES_PER_ENTRY = 4096;

function logBytes(a: unknown): number {
  let n = 0;
  for (const chunk of (a as { logs?: { text?: unknown }[] }).logs ?? [])
    n += typeof chunk.text === "string" ? chunk.text.length : 0;
  return n;
}
