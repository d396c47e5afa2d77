import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { pack, unpack } from "../../src/scheduler/persistence/pack.js";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";

function stateDir(): string {
  return mkdtempSync(path.join(tmpdir(), "luigi-ts-durable-"));
}

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s) };
}

async function exercise(
  api: DurableScheduler["api"],
  clock: { advance: (s: number) => void },
): Promise<void> {
  await api.addWorker({ worker: W, info: { host: "h", workers: 2 } });
  await api.addTasks({
    worker: W,
    tasks: [
      { task_id: "Root", family: "Root", status: "PENDING", deps: ["A", "B"], priority: 3 },
      { task_id: "A", family: "A", status: "PENDING", resources: { db: 1 } },
      { task_id: "B", family: "B", status: "PENDING" },
    ],
  });
  clock.advance(1);
  const first = await api.getWork({ worker: W, host: "h" });
  clock.advance(2);
  await api.addTask({ worker: W, task_id: first.task_id ?? "", status: "DONE" });
  await api.getWork({ worker: W, host: "h" });
  await api.setTaskStatusMessage({ task_id: "B", status_message: "half way" });
  await api.updateResources({ db: 3 });
  await api.pause();
}

describe("DurableScheduler", () => {
  it("rebuilds exactly the same state from the journal after a crash (no clean shutdown)", async () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    const clock = fakeClock();
    const first = DurableScheduler.open({ statePath, clock: clock.now });
    await exercise(first.api, clock);
    const before = first.core.exportState();
    // No close(): as after kill -9, only the journal is on disk.
    expect(readdirSync(dir).sort()).toEqual(["state.json.journal"]);
    const second = DurableScheduler.open({ statePath, clock: clock.now });
    expect(second.report.replayed).toBeGreaterThan(5);
    expect(second.core.exportState()).toEqual(before);
    expect(await second.api.isPaused()).toEqual({ paused: true });
    expect((await second.api.getTaskStatusMessage({ task_id: "B" })).statusMessage).toBe("half way");
    const resources = await second.api.resourceList();
    expect(resources.find((r) => r.name === "db")?.num_total).toBe(3);
    second.close();
  });

  it("folds the journal into a snapshot on close and at the compaction threshold", async () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    const clock = fakeClock();
    const durable = DurableScheduler.open({ statePath, clock: clock.now, compactEvery: 4 });
    await exercise(durable.api, clock);
    // Compactions happened along the way: the journal holds fewer lines than the calls made.
    const lines = readFileSync(`${statePath}.journal`, "utf8").split("\n").filter(Boolean);
    expect(lines.length).toBeLessThan(4);
    const before = durable.core.exportState();
    durable.close();
    expect(readFileSync(`${statePath}.journal`, "utf8")).toBe("");
    const reopened = DurableScheduler.open({ statePath, clock: clock.now });
    expect(reopened.report.replayed).toBe(0);
    expect(reopened.core.exportState()).toEqual(before);
    expect(await reopened.api.isPaused()).toEqual({ paused: true });
    reopened.close();
  });

  it("packs the snapshot losslessly and smaller", async () => {
    const clock = fakeClock();
    const durable = DurableScheduler.open({
      statePath: path.join(stateDir(), "state.json"),
      clock: clock.now,
    });
    await exercise(durable.api, clock);
    await durable.api.addTask({ worker: W, task_id: "F", family: "F", status: "FAILED", expl: "boom" });
    const snapshot = durable.core.exportState();
    const packed = pack(snapshot);
    expect(unpack(JSON.parse(JSON.stringify(packed)) as typeof packed)).toEqual(snapshot);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(snapshot).length / 2);
    durable.close();
  });

  it("reads a snapshot packed the previous way (one object per step) as well as the tuple form", () => {
    const v1 = {
      packed: 1 as const,
      workerIds: [W],
      policies: [{ retryCount: 3, disableHardTimeout: 3600, disableWindow: 3600 }],
      steps: [
        {
          id: "A",
          status: "DONE",
          seq: 0,
          time: 10,
          updated: 11,
          priority: 2,
          family: "A",
          retryPolicy: 0,
          stakeholders: [0],
          workers: [0],
          runnable: true,
          params: { day: "2026-11-20" },
        },
        {
          id: "B",
          status: "PENDING",
          seq: 1,
          time: 10,
          updated: 10,
          priority: 0,
          family: "B",
          retryPolicy: 0,
          deps: ["A"],
        },
      ],
      rest: { format: "luigi-ts/scheduler-state", version: 1, nextSeq: 2, workers: [], batchers: [] },
    };
    const fromV1 = unpack(v1 as unknown as Parameters<typeof unpack>[0]);
    expect(fromV1.steps.map((st) => [st.id, st.status, st.deps, st.params, st.runnable])).toEqual([
      ["A", "DONE", [], { day: "2026-11-20" }, true],
      ["B", "PENDING", ["A"], {}, false],
    ]);
    // The same steps packed now (version 2) come back identical.
    const again = pack(fromV1);
    expect(again.packed).toBe(2);
    expect(unpack(JSON.parse(JSON.stringify(again)) as typeof again)).toEqual(fromV1);
  });

  it("skips a torn last journal line and keeps everything before it", async () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    const clock = fakeClock();
    const durable = DurableScheduler.open({ statePath, clock: clock.now });
    await durable.api.addTask({ worker: W, task_id: "A", family: "A", status: "DONE" });
    appendFileSync(
      `${statePath}.journal`,
      '{"s":2,"t":1000000,"m":"addTask","a":{"worker":"W","task_id":"B"',
    );
    const reopened = DurableScheduler.open({ statePath, clock: clock.now });
    expect(reopened.report.skippedLines).toBe(1);
    expect(Object.keys(await reopened.api.taskList({ status: "DONE" }))).toEqual(["A"]);
    reopened.close();
  });

  it("sets a damaged snapshot and the journal that continues it aside, and starts empty", async () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    writeFileSync(statePath, "{ not json");
    writeFileSync(`${statePath}.journal`, '{"s":7,"t":1,"m":"addTask","a":{"worker":"W","task_id":"X"}}\n');
    const durable = DurableScheduler.open({ statePath });
    expect(durable.report.setAside).toHaveLength(2);
    expect(durable.core.stepCount).toBe(0);
    const names = readdirSync(dir);
    expect(names.filter((n) => n.includes(".damaged-"))).toHaveLength(2);
    await durable.api.addTask({ worker: W, task_id: "Y", family: "Y" });
    durable.close();
    expect(DurableScheduler.open({ statePath }).core.stepCount).toBe(1);
  });
});
