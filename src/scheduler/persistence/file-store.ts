import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { open as openFile } from "node:fs/promises";
import { Journal } from "./journal.js";
import type { StateLock } from "./state-lock.js";
import { parseStateFile, type StateFile, type StateStore, type StoredState } from "./store.js";

/**
 * The state in files: the snapshot at the state path (replaced atomically: temp file, fsync, rename),
 * the journal beside it at `<statePath>.journal` (one JSON line per call, written synchronously before
 * the answer), and the lock at `<statePath>.lock`, held from construction to release().
 *
 * A compaction off the event loop (cut(), then compactText()) renames the journal to
 * `<statePath>.journal.folding` at the cut and goes on in a new journal; once the new snapshot is in
 * place the folding one is deleted. A crash in between leaves both journals: load() reads the folding
 * one first, the scheduler skips what the snapshot already holds, and start() folds them (`interrupted`).
 */
export class FileStateStore implements StateStore {
  readonly canSetAside = true;
  private journal: Journal | undefined;
  /** Raised by every compaction: a background write that finds it changed is older, and is dropped. */
  private epoch = 0;
  private hadFolding = false;

  constructor(private readonly lock: StateLock) {}

  /** The state path, absolute with links resolved. */
  get statePath(): string {
    return this.lock.statePath;
  }

  get where(): string {
    return this.statePath;
  }

  get snapshotPart(): string {
    return this.statePath;
  }

  get journalPart(): string {
    return `${this.statePath}.journal`;
  }

  /** The journal being folded into a snapshot by a compaction in progress. */
  get foldingPart(): string {
    return `${this.statePath}.journal.folding`;
  }

  /** load() found a compaction that was interrupted (both journals): start() should compact. */
  get interrupted(): boolean {
    return this.hadFolding;
  }

  /** Reads the snapshot and the journal, writing nothing. */
  load(): StoredState {
    const state: StoredState = { snapshot: undefined, entries: [], skipped: [], damaged: [] };
    try {
      state.snapshot = readStateFile(this.statePath);
    } catch (err) {
      state.damaged.push({
        part: this.statePath,
        message: "the state file is damaged: it was moved aside and luigid starts without it",
        err: (err as Error).message,
      });
    }
    const read = Journal.read(this.journalPart);
    if (existsSync(this.foldingPart)) {
      // An interrupted compaction: its entries come first (those the snapshot holds are skipped).
      const folding = Journal.read(this.foldingPart);
      this.hadFolding = true;
      state.entries = [...folding.entries, ...read.entries];
      state.skipped = [...folding.skipped, ...read.skipped];
    } else {
      state.entries = read.entries;
      state.skipped = read.skipped;
    }
    return state;
  }

  setAside(part: string): string {
    return moveAside(part);
  }

  open(): void {
    this.journal ??= new Journal(this.journalPart);
  }

  append(entry: Parameters<Journal["append"]>[0], line?: string): undefined {
    this.opened().append(entry, line);
    return undefined;
  }

  compact(file: StateFile): undefined {
    const journal = this.opened();
    this.epoch++;
    writeFileDurably(this.statePath, JSON.stringify(file));
    journal.truncate();
    rmSync(this.foldingPart, { force: true });
    this.hadFolding = false;
    return undefined;
  }

  cut(): void {
    if (existsSync(this.foldingPart)) throw new Error("a compaction is already in progress");
    this.opened().rotate(this.foldingPart);
  }

  async compactText(_seq: number, _savedAt: number, text: string): Promise<void> {
    this.opened();
    const epoch = ++this.epoch;
    const tmp = `${this.statePath}.tmp-${process.pid}-${epoch}`;
    const file = await openFile(tmp, "w");
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    // Written by the thread pool; put in place here, in one synchronous step, unless a compaction came
    // after it (its snapshot is newer) or the store was let go.
    if (epoch !== this.epoch || !this.journal) {
      rmSync(tmp, { force: true });
      return;
    }
    renameSync(tmp, this.statePath);
    unlinkSync(this.foldingPart);
  }

  sync(): undefined {
    this.journal?.sync();
    return undefined;
  }

  release(): void {
    try {
      this.journal?.close();
    } finally {
      this.journal = undefined;
      this.lock.release();
    }
  }

  private opened(): Journal {
    if (!this.journal) throw new Error("the scheduler's state is not started: nothing may be written yet");
    return this.journal;
  }
}

function readStateFile(statePath: string): StateFile | undefined {
  if (!existsSync(statePath)) return undefined;
  return parseStateFile(readFileSync(statePath, "utf8"));
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
