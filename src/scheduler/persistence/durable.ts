import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { Logger } from "../../log/logger.js";
import { silentLogger } from "../../log/logger.js";
import type { SchedulerApi } from "../api.js";
import type { SchedulerHooks } from "../core.js";
import { LocalScheduler } from "../local.js";
import { SCHEDULER_METHOD_LIST } from "../methods.js";
import type { SchedulerOptions } from "../options.js";
import { Scheduler } from "../scheduler.js";
import { pack, unpackLazily, type PackedSnapshot } from "./pack.js";
import { Journal, type JournalEntry } from "./journal.js";
import { StateLock } from "./state-lock.js";

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

const STATE_FORMAT = "luigi-ts/luigid-state";
const STATE_VERSION = 2;

/** The snapshot file: the scheduler's records plus what Luigi forgets (pause flag, runtime capacities). */
interface StateFile {
  format: typeof STATE_FORMAT;
  version: number;
  /** Journal entries up to this sequence number are folded in. */
  seq: number;
  savedAt: number;
  paused: boolean;
  resources: Record<string, number>;
  scheduler: PackedSnapshot;
}

interface DurableSchedulerTuning {
  options?: Partial<SchedulerOptions>;
  hooks?: SchedulerHooks;
  logger?: Logger;
  /** Fold the journal into a new snapshot after this many journaled calls (an add_tasks counts its steps). Default 50,000. */
  compactEvery?: number;
  /** Epoch seconds; default the real clock. */
  clock?: () => number;
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

/** A damaged file found by load(), moved aside by start(). */
interface SetAside {
  file: string;
  message: string;
  err?: string;
}

/**
 * The scheduler as luigid runs it: the pure core, a snapshot file and a journal. Every state-changing call
 * is appended to the journal before its answer is returned, so kill -9 loses nothing acknowledged; the
 * journal is folded into an atomically replaced snapshot every `compactEvery` entries and at shutdown.
 * A damaged snapshot or journal is moved aside (never deleted) and the daemon starts with what it could
 * read.
 *
 * Opening is two steps so that a start that fails changes nothing on disk: load() takes the lock and
 * builds the state in memory, reading only; start(), once luigid listens, moves damaged files aside,
 * opens the journal and rewrites it if it had a torn line. abandon() lets go without writing.
 */
export class DurableScheduler {
  readonly api: SchedulerApi;
  readonly core: Scheduler;
  readonly report: OpenReport;
  /** The state path, absolute with links resolved. */
  readonly statePath: string;
  private journal: Journal | undefined;
  private readonly log: Logger;
  private readonly compactEvery: number;
  private readonly toSetAside: SetAside[] = [];
  private frozenNow: number | undefined;
  /** The clock calls are journaled with: `clock` of the init (a test's), else the real one. */
  private readonly clock: () => number;
  private seq = 0;
  private sinceCompaction = 0;
  private closed = false;

  private constructor(
    init: DurableSchedulerInit,
    private readonly lock: StateLock,
  ) {
    this.statePath = this.lock.statePath;
    this.log = init.logger ?? silentLogger();
    this.compactEvery = init.compactEvery ?? 50_000;
    const started = performance.now();
    const realClock = init.clock ?? ((): number => Date.now() / 1000);
    this.clock = realClock;
    const clock = (): number => this.frozenNow ?? realClock();
    const schedulerInit = {
      ...init.options,
      pruneOnGetWork: init.options?.pruneOnGetWork ?? false,
      clock,
      ...(init.hooks ? { hooks: init.hooks } : {}),
    };

    let file: StateFile | undefined;
    try {
      file = readStateFile(this.statePath);
    } catch (err) {
      this.toSetAside.push({
        file: this.statePath,
        message: "the state file is damaged: it was moved aside and luigid starts without it",
        err: (err as Error).message,
      });
    }
    let core: Scheduler;
    try {
      core = file
        ? Scheduler.importState(unpackLazily(file.scheduler), schedulerInit)
        : new Scheduler(schedulerInit);
    } catch (err) {
      this.toSetAside.push({
        file: this.statePath,
        message: "the state file could not be loaded; moved aside",
        err: (err as Error).message,
      });
      file = undefined;
      core = new Scheduler(schedulerInit);
    }
    this.core = core;
    const local = new LocalScheduler({ scheduler: core });
    if (file) {
      this.seq = file.seq;
      if (file.paused) core.pause();
      if (Object.keys(file.resources).length > 0) core.updateResources(file.resources);
    }

    // Replay what happened after the snapshot.
    const read = Journal.read(this.journalPath);
    let replayed = 0;
    if (!file && read.entries.length > 0 && (read.entries[0]?.s ?? 0) > 1) {
      // The journal continues a snapshot we no longer have: replaying it alone would invent a state.
      this.toSetAside.push({
        file: this.journalPath,
        message: "the journal belongs to a lost snapshot; moved aside",
      });
    } else {
      for (const entry of read.entries) {
        if (entry.s <= this.seq) continue;
        this.replay(local, entry);
        this.seq = entry.s;
        replayed++;
      }
    }
    if (read.skipped.length > 0) {
      this.log.warn(
        { lines: read.skipped.slice(0, 5) },
        `skipped ${read.skipped.length} unreadable journal line(s)`,
      );
    }
    this.api = this.journaling(local);
    this.report = {
      steps: core.stepCount,
      replayed,
      skippedLines: read.skipped.length,
      setAside: [],
      millis: performance.now() - started,
    };
  }

  /** Takes the lock and builds the state in memory, writing nothing; start() makes it live. */
  static load(init: DurableSchedulerInit): DurableScheduler {
    const lock = "lock" in init ? init.lock : StateLock.acquire(init.statePath);
    try {
      return new DurableScheduler(init, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** load() and start() at once. */
  static open(init: DurableSchedulerInit): DurableScheduler {
    const durable = DurableScheduler.load(init);
    durable.start();
    return durable;
  }

  private get journalPath(): string {
    return `${this.statePath}.journal`;
  }

  /**
   * Makes the state live, the first write to its files: moves damaged files aside, opens the journal, and
   * rewrites it if load() skipped a line. Idempotent.
   */
  start(): void {
    if (this.journal || this.closed) return;
    for (const damaged of this.toSetAside) {
      const aside = moveAside(damaged.file);
      this.report.setAside.push(aside);
      this.log.error(
        { file: damaged.file, movedTo: aside, ...(damaged.err ? { err: damaged.err } : {}) },
        damaged.message,
      );
    }
    this.journal = new Journal(this.journalPath);
    // A torn or damaged line must not stay in front of the lines appended from now on: rewrite then.
    // Otherwise the journal simply goes on, and the next compaction folds it (a restart is not slowed
    // by writing a whole snapshot before listening).
    if (this.report.skippedLines > 0) this.compact();
  }

  /** Writes a snapshot (temp file, fsync, rename) and empties the journal. Only once started. */
  compact(): void {
    if (this.closed) return;
    if (!this.journal) throw new Error("the scheduler's state is not started: nothing may be written yet");
    const resources = Object.fromEntries(this.core.resourceList().map((r) => [r.name, r.num_total]));
    const file: StateFile = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      seq: this.seq,
      savedAt: Date.now() / 1000,
      paused: this.core.isPaused().paused,
      resources,
      scheduler: pack(this.core.exportState()),
    };
    writeFileDurably(this.statePath, JSON.stringify(file));
    this.journal.truncate();
    this.sinceCompaction = 0;
  }

  /** Clean shutdown: compacts, closes the journal and releases the lock. Not started: only releases. */
  close(): void {
    if (this.closed) return;
    try {
      if (this.journal) {
        this.compact();
        this.journal.sync();
        this.journal.close();
      }
    } finally {
      this.closed = true;
      this.lock.release();
    }
  }

  /** Lets go of the files as kill -9 would: writes nothing more, closes the journal, releases the lock. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.journal?.close();
    } finally {
      this.lock.release();
    }
  }

  private replay(local: LocalScheduler, entry: JournalEntry): void {
    const method = (local as unknown as Record<string, (args: unknown) => Promise<unknown>>)[entry.m];
    if (typeof method !== "function") return;
    this.frozenNow = entry.t;
    try {
      method.call(local, entry.a).catch(() => undefined);
    } catch {
      // A call that failed when it was made fails the same way now; it changed nothing then either.
    } finally {
      this.frozenNow = undefined;
    }
  }

  /** Wraps the in-process scheduler so that every state change is journaled at the time it happens. */
  private journaling(local: LocalScheduler): SchedulerApi {
    const record = (journal: Journal, m: string, a: unknown, t: number): void => {
      this.seq++;
      journal.append({ s: this.seq, t, m, a });
      // Weighed by the work a replay would redo: an add_tasks of 500 steps counts 500.
      this.sinceCompaction +=
        m === "addTasks"
          ? Math.max(1, (a as { tasks?: unknown[] }).tasks?.length ?? 1)
          : m === "getWorks"
            ? 1 + ((a as { reports?: unknown[] | null }).reports?.length ?? 0)
            : m === "addStepLogs"
              ? 1 + Math.floor(logBytes(a) / LOG_BYTES_PER_ENTRY)
              : 1;
      if (this.sinceCompaction >= this.compactEvery) this.compact();
    };
    return new Proxy(local, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== "string" || typeof value !== "function") return value;
        const journaled = JOURNALED.has(prop);
        const pruning = PRUNING_QUERIES.has(prop);
        if (!journaled && !pruning) return value;
        return (args: unknown) => {
          if (this.closed) throw new Error("the scheduler is shutting down");
          const journal = this.journal;
          if (!journal) throw new Error("the scheduler is starting");
          const t = this.clock();
          // The core is synchronous: freezing the clock for the call makes it see exactly the journaled time.
          this.frozenNow = t;
          let result: unknown;
          // A prune (alone or before a listing) that cannot change anything is not journaled: an idle
          // luigid prunes every second and is watched by visualisers that poll.
          let recorded = true;
          try {
            if (prop === "prune" || pruning) recorded = this.core.pruneDue();
            result = (value as (a: unknown) => unknown).call(target, args);
          } finally {
            this.frozenNow = undefined;
          }
          if (recorded) record(journal, journaled ? prop : "prune", journaled ? (args ?? {}) : {}, t);
          return result;
        };
      },
    });
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

function readStateFile(statePath: string): StateFile | undefined {
  if (!existsSync(statePath)) return undefined;
  const text = readFileSync(statePath, "utf8");
  if (text.trim() === "") throw new Error("the state file is empty");
  const parsed = JSON.parse(text) as Partial<StateFile>;
  if (parsed.format !== STATE_FORMAT)
    throw new Error(`not a luigi-ts state file (format ${String(parsed.format)})`);
  if (parsed.version !== STATE_VERSION)
    throw new Error(`state file version ${String(parsed.version)} is not supported`);
  return parsed as StateFile;
}

/** Renames a damaged file to `<path>.damaged-<time>`, keeping it for inspection. */
function moveAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  try {
    renameSync(file, aside);
  } catch {
    return `${aside} (could not move)`;
  }
  return aside;
}

function writeFileDurably(target: string, text: string): void {
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}
