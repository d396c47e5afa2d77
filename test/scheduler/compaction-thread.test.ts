import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { parseStateFile } from "../../src/scheduler/persistence/store.js";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";

function statePathIn(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "luigi-ts-compaction-")), "state.json");
}

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s) };
}

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Registers steps one call each, with a run, failures and a status message along the way. */
async function busy(durable: DurableScheduler, clock: { advance: (s: number) => void }, n: number) {
  const api = durable.api;
  await api.addWorker({ worker: W, info: { host: "h", workers: 2 } });
  for (let i = 0; i < n; i++) {
    await api.addTask({ worker: W, task_id: `S${i}`, family: "S", status: "PENDING", priority: i % 3 });
    clock.advance(0.5);
    if (i % 7 === 0) {
      const got = await api.getWork({ worker: W, host: "h" });
      if (got.task_id)
        await api.addTask({ worker: W, task_id: got.task_id, status: i % 2 ? "DONE" : "FAILED" });
    }
  }
  await api.setTaskStatusMessage({ task_id: "S1", status_message: "half way" });
  await api.updateResources({ db: 3 });
}

const snapshotSeq = (statePath: string): number => parseStateFile(readFileSync(statePath, "utf8")).seq;

describe("compaction in a worker thread", () => {
  it("writes the snapshot of the cut, keeps the later entries in the journal, and rebuilds the same state", async () => {
    const statePath = statePathIn();
    const clock = fakeClock();
    const durable = DurableScheduler.open({
      statePath,
      clock: clock.now,
      compactEvery: 25,
      compaction: "thread",
    });
    await busy(durable, clock, 120);
    await until(() => existsSync(statePath) && !existsSync(`${statePath}.journal.folding`));
    const seq = snapshotSeq(statePath);
    const lines = readFileSync(`${statePath}.journal`, "utf8").split("\n").filter(Boolean);
    // The journal holds what came after the snapshot's cut, and nothing before it.
    for (const line of lines) expect((JSON.parse(line) as { s: number }).s).toBeGreaterThan(seq);
    const before = durable.core.exportState();
    durable.abandon(); // as kill -9
    const reopened = DurableScheduler.open({ statePath, clock: clock.now });
    expect(reopened.report.replayed).toBe(lines.length);
    expect(reopened.core.exportState()).toEqual(before);
    reopened.core.checkConsistency();
    expect((await reopened.api.resourceList()).find((r) => r.name === "db")?.num_total).toBe(3);
    reopened.close();
  });

  it("loses nothing when killed in the middle of a compaction, and the next start folds both journals", async () => {
    const statePath = statePathIn();
    const clock = fakeClock();
    const durable = DurableScheduler.open({
      statePath,
      clock: clock.now,
      compactEvery: 30,
      compaction: "thread",
    });
    await busy(durable, clock, 24);
    // The call that reaches 30 cuts the journal; the process dies before the thread answers.
    await busy(durable, clock, 10);
    expect(existsSync(`${statePath}.journal.folding`)).toBe(true);
    const before = durable.core.exportState();
    durable.abandon();
    const reopened = DurableScheduler.open({ statePath, clock: clock.now });
    expect(reopened.core.exportState()).toEqual(before);
    expect(
      readdirSync(path.dirname(statePath))
        .filter((f) => !f.includes(".lock"))
        .sort(),
    ).toEqual(["state.json", "state.json.journal"]);
    expect(readFileSync(`${statePath}.journal`, "utf8")).toBe("");
    reopened.close();
    const third = DurableScheduler.open({ statePath, clock: clock.now });
    expect(third.core.exportState()).toEqual(before);
    third.close();
  });

  it("a clean stop during a compaction writes the newer snapshot, which the thread's older one never replaces", async () => {
    const statePath = statePathIn();
    const clock = fakeClock();
    const durable = DurableScheduler.open({
      statePath,
      clock: clock.now,
      compactEvery: 30,
      compaction: "thread",
    });
    await busy(durable, clock, 40);
    const before = durable.core.exportState();
    durable.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(
      readdirSync(path.dirname(statePath))
        .filter((f) => !f.includes(".lock"))
        .sort(),
    ).toEqual(["state.json", "state.json.journal"]);
    const reopened = DurableScheduler.open({ statePath, clock: clock.now });
    expect(reopened.report.replayed).toBe(0);
    expect(reopened.core.exportState()).toEqual(before);
    reopened.close();
  });
});
