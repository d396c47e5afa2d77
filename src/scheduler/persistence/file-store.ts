import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { Journal } from "./journal.js";
import type { StateLock } from "./state-lock.js";
import { parseStateFile, type StateFile, type StateStore, type StoredState } from "./store.js";

/**
 * The state in files: the snapshot at the state path (replaced atomically: temp file, fsync, rename),
 * the journal beside it at `<statePath>.journal` (one JSON line per call, written synchronously before
 * the answer), and the lock at `<statePath>.lock`, held from construction to release().
 */
export class FileStateStore implements StateStore {
  readonly canSetAside = true;
  private journal: Journal | undefined;

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
    state.entries = read.entries;
    state.skipped = read.skipped;
    return state;
  }

  setAside(part: string): string {
    return moveAside(part);
  }

  open(): void {
    this.journal ??= new Journal(this.journalPart);
  }

  append(entry: Parameters<Journal["append"]>[0]): undefined {
    this.opened().append(entry);
    return undefined;
  }

  compact(file: StateFile): undefined {
    const journal = this.opened();
    writeFileDurably(this.statePath, JSON.stringify(file));
    journal.truncate();
    return undefined;
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
