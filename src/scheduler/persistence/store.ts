import type { PackedSnapshot } from "./pack.js";
import type { JournalEntry } from "./journal.js";

export const STATE_FORMAT = "luigi-ts/luigid-state";
export const STATE_VERSION = 2;

/** The snapshot: the scheduler's records plus what Luigi forgets (pause flag, runtime capacities). */
export interface StateFile {
  format: typeof STATE_FORMAT;
  version: number;
  /** Journal entries up to this sequence number are folded in. */
  seq: number;
  savedAt: number;
  paused: boolean;
  resources: Record<string, number>;
  scheduler: PackedSnapshot;
}

/** A part of the state found damaged by load(), put aside by start(). */
export interface DamagedPart {
  /** The file (or table row) that is damaged. */
  part: string;
  message: string;
  err?: string;
}

/** What a store holds when it is opened: the snapshot and the journal after it. */
export interface StoredState {
  snapshot: StateFile | undefined;
  entries: JournalEntry[];
  /** Journal lines that could not be read (a torn last line after a crash, or damage). */
  skipped: { line: number; reason: string }[];
  damaged: DamagedPart[];
}

/**
 * Where DurableScheduler keeps its snapshot and journal: files beside the state path (FileStateStore),
 * or PostgreSQL tables (PgStateStore). The scheduler logic (replay, compaction policy, what is
 * journaled) is DurableScheduler's alone; a store only keeps what it is given, in order.
 *
 * append() and compact() answer `undefined` when what they were given is durable on return (the file
 * store), or a promise that settles once it is (the PostgreSQL store, which commits in groups). A
 * rejected promise means the store can no longer write: the scheduler stops serving writes.
 */
export interface StateStore {
  /** How logs name the store: a path, or a URL with its password masked. */
  readonly where: string;
  /** The name of the snapshot's part, for messages about a damaged one. */
  readonly snapshotPart: string;
  /** The name of the journal's part. */
  readonly journalPart: string;
  /** Whether setAside() can keep a damaged part out of the way (a file can be renamed). */
  readonly canSetAside: boolean;
  /** Puts a damaged part aside (never deletes it); returns where it went. */
  setAside(part: string): string;
  /** Opens the journal for appending; the first write. */
  open(): void;
  /** `line` is the entry's JSON text (written as it is by a store that keeps lines). */
  append(entry: JournalEntry, line: string): Promise<void> | undefined;
  /** Writes the snapshot and drops the journal entries it folds (up to `file.seq`). */
  compact(file: StateFile): Promise<void> | undefined;
  /**
   * Compaction off the event loop, step 1: the entries appended so far go into the snapshot that
   * compactText() will write; those appended from now on stay in the journal after it.
   */
  cut(seq: number): void;
  /**
   * Step 2: writes a snapshot made elsewhere (a StateFile at `seq`, the cut, as JSON text) and drops the
   * journal entries up to `seq`. Settles once it is durable; a compact() meanwhile supersedes it (it is
   * then dropped, as older).
   */
  compactText(seq: number, savedAt: number, text: string): Promise<void>;
  /** Everything given so far is durable (a flush at shutdown). */
  sync(): Promise<void> | undefined;
  /** Closes the journal and lets go of the state (the lock). */
  release(): void;
}

/** Parses a snapshot's text, or throws saying why it is not one. */
export function parseStateFile(text: string): StateFile {
  if (text.trim() === "") throw new Error("the state file is empty");
  const parsed = JSON.parse(text) as Partial<StateFile>;
  if (parsed.format !== STATE_FORMAT)
    throw new Error(`not a luigi-ts state file (format ${String(parsed.format)})`);
  if (parsed.version !== STATE_VERSION)
    throw new Error(`state file version ${String(parsed.version)} is not supported`);
  return parsed as StateFile;
}
