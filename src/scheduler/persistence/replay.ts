import { LocalScheduler } from "../local.js";
import { Scheduler } from "../scheduler.js";
import type { JournalEntry } from "./journal.js";
import { pack, unpackLazily } from "./pack.js";
import { STATE_FORMAT, STATE_VERSION, type StateFile } from "./store.js";

/**
 * Rebuilding a scheduler from a snapshot and the journal after it, shared by DurableScheduler (a start,
 * a standby's following) and the compaction thread (compactor-thread.ts), which keeps a copy of the
 * state built the same way so that a snapshot can be made without stopping the event loop.
 */
export type ReplayInit = ConstructorParameters<typeof Scheduler>[0];

/** The core a snapshot holds (an empty one without a snapshot). */
export function coreFrom(file: StateFile | undefined, init: ReplayInit): Scheduler {
  if (!file) return new Scheduler(init);
  const core = Scheduler.importState(unpackLazily(file.scheduler), init);
  if (file.paused) core.pause();
  if (Object.keys(file.resources).length > 0) core.updateResources(file.resources);
  return core;
}

/**
 * Replays one journaled call at the time it saw: `freeze(t)` makes the core's clock answer `t` during the
 * call, `freeze(undefined)` lets it go. A call that failed when it was made fails the same way now.
 */
export function replayEntry(
  local: LocalScheduler,
  entry: JournalEntry,
  freeze: (t: number | undefined) => void,
): void {
  const method = (local as unknown as Record<string, (args: unknown) => Promise<unknown>>)[entry.m];
  if (typeof method !== "function") return;
  freeze(entry.t);
  try {
    method.call(local, entry.a).catch(() => undefined);
  } catch {
    // It changed nothing then either.
  } finally {
    freeze(undefined);
  }
}

/** The snapshot of a core at journal sequence number `seq`. */
export function snapshotOf(core: Scheduler, seq: number, savedAt: number): StateFile {
  const resources = Object.fromEntries(core.resourceList().map((r) => [r.name, r.num_total]));
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    seq,
    savedAt,
    paused: core.isPaused().paused,
    resources,
    scheduler: pack(core.exportState()),
  };
}

/** A core and the sequence number it has applied, rebuilt from a snapshot and fed journal entries. */
export class Replica {
  core: Scheduler;
  local: LocalScheduler;
  seq = 0;
  private frozenNow: number | undefined;
  /** The time of the last call replayed: what the clock answers between calls (a live luigid's clock
   * then reads the moment of that call, not a moment long after, as here). */
  private lastNow: number | undefined;
  private readonly init: ReplayInit;

  constructor(init: Omit<ReplayInit, "clock">, file: StateFile | undefined) {
    this.init = { ...init, clock: () => this.frozenNow ?? this.lastNow ?? Date.now() / 1000 };
    this.core = coreFrom(file, this.init);
    this.local = new LocalScheduler({ scheduler: this.core });
    if (file) this.seq = file.seq;
  }

  /** Applies the entries after `seq`, in order; answers how many it applied. */
  apply(entries: Iterable<JournalEntry>): number {
    let applied = 0;
    for (const entry of entries) {
      if (entry.s <= this.seq) continue;
      replayEntry(this.local, entry, (t) => {
        this.frozenNow = t;
        if (t !== undefined) this.lastNow = t;
      });
      this.seq = entry.s;
      applied++;
    }
    return applied;
  }

  /** Starts again from a newer snapshot (a standby's active one folded its journal). */
  reload(file: StateFile): void {
    if (file.seq <= this.seq) return;
    this.core = coreFrom(file, this.init);
    this.local = new LocalScheduler({ scheduler: this.core });
    this.seq = file.seq;
  }
}
