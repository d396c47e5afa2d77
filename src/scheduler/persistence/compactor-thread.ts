import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { JournalEntry } from "./journal.js";
import { Replica, snapshotOf, type ReplayInit } from "./replay.js";
import type { StateFile } from "./store.js";

/**
 * The compaction thread (see compactor.ts): a replica of luigid's state, rebuilt from the same snapshot
 * and fed the same journal entries as the scheduler, in order. Asked for a snapshot, it packs and
 * serialises its own copy, so the event loop of luigid never stops for it.
 *
 * The lines are kept as they come and applied when a snapshot is asked for (or a load comes): applying
 * each as it came cost as much CPU as the scheduler's own updates (2.9 CPU-s on a 100,000-step run, most
 * of luigid's time off the event loop) while the cores were busiest, for entries that a clean shutdown
 * then folds from the scheduler's own state anyway. Held back, they cost a string each until the next
 * compaction (at most `compactEvery` entries).
 */
export type CompactorRequest =
  /** A (newer) snapshot and the entries after it: a start, or a standby's following. */
  | { kind: "load"; snapshot: StateFile | undefined; entries: JournalEntry[] }
  | { kind: "lines"; lines: string[] }
  | { kind: "snapshot"; id: number; savedAt: number };

export type CompactorReply = { id: number; seq: number; text: string } | { id: number; error: string };

/**
 * Linux: this thread runs at a lower priority (nice 10) than the event loop, so that on a busy machine
 * it takes the CPU that the event loop and the workers leave; its backlog catches up when they idle.
 */
function yieldToTheEventLoop(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the same priority, then.
  }
}

const port = parentPort;
if (port) {
  yieldToTheEventLoop();
  const options = workerData as Omit<ReplayInit, "clock">;
  const replica = new Replica(options, undefined);
  /** Lines received and not applied yet, in order. */
  let held: string[][] = [];
  const catchUp = (): void => {
    const batches = held;
    held = [];
    for (const lines of batches) replica.apply(lines.map((line) => JSON.parse(line) as JournalEntry));
  };
  port.on("message", (request: CompactorRequest) => {
    switch (request.kind) {
      case "load":
        catchUp();
        if (request.snapshot) replica.reload(request.snapshot);
        replica.apply(request.entries);
        break;
      case "lines":
        held.push(request.lines);
        break;
      case "snapshot":
        try {
          catchUp();
          const text = JSON.stringify(snapshotOf(replica.core, replica.seq, request.savedAt));
          port.postMessage({ id: request.id, seq: replica.seq, text } satisfies CompactorReply);
        } catch (err) {
          port.postMessage({ id: request.id, error: String(err) } satisfies CompactorReply);
        }
        break;
    }
  });
}
