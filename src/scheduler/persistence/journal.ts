import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";

/** One journaled call: sequence number, the time the call saw, the SchedulerApi method and its arguments. */
export interface JournalEntry {
  s: number;
  t: number;
  m: string;
  a: unknown;
}

/** What reading a journal found. */
export interface JournalRead {
  entries: JournalEntry[];
  /** Lines that could not be parsed (a torn last line after a crash, or damage), with their line numbers. */
  skipped: { line: number; reason: string }[];
}

/**
 * Append-only journal of the scheduler calls that change state, one JSON line each. Every line is written
 * with a synchronous write before the call's answer leaves, so a process killed at any moment (kill -9)
 * loses nothing it has acknowledged; a torn last line is detected and skipped on reading.
 */
export class Journal {
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Appends an entry; `line` is its JSON text when the caller already has it. */
  append(entry: JournalEntry, line = JSON.stringify(entry)): void {
    writeSync(this.fd, line + "\n");
  }

  /** Forces the journal to disk (used at shutdown and after compaction). */
  sync(): void {
    fsyncSync(this.fd);
  }

  /** Empties the journal (after its entries were folded into a snapshot). */
  truncate(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, "w");
  }

  /** Renames the journal written so far to `to` and goes on in a new, empty one at `path`. */
  rotate(to: string): void {
    closeSync(this.fd);
    renameSync(this.path, to);
    this.fd = openSync(this.path, "a");
  }

  close(): void {
    closeSync(this.fd);
  }

  static read(path: string): JournalRead {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skipped: [] };
      throw err;
    }
    const entries: JournalEntry[] = [];
    const skipped: JournalRead["skipped"] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === "") continue;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (typeof entry.s !== "number" || typeof entry.t !== "number" || typeof entry.m !== "string") {
          throw new Error("not a journal entry");
        }
        entries.push(entry);
      } catch (err) {
        skipped.push({ line: i + 1, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return { entries, skipped };
  }
}
