import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { filesOf } from "../helpers/files.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { pack, unpack } from "../../src/scheduler/persistence/pack.js";
import { StateLockedError } from "../../src/scheduler/persistence/state-lock.js";

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
    // No close(): as after kill -9, only the journal is on disk (abandon() lets go of the lock).
    first.abandon();
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
    durable.abandon();
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
    const reopened = DurableScheduler.open({ statePath });
    expect(reopened.core.stepCount).toBe(1);
    reopened.close();
  });
});

describe("DurableScheduler's lock and two-step start", () => {
  it("load() only reads: a damaged snapshot and a lost snapshot's journal stay put until start()", () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    writeFileSync(statePath, "{ not json");
    writeFileSync(`${statePath}.journal`, '{"s":7,"t":1,"m":"addTask","a":{"worker":"W","task_id":"X"}}\n');
    const before = filesOf(dir);
    const loaded = DurableScheduler.load({ statePath });
    expect(loaded.core.stepCount).toBe(0);
    // While it is held, the lock (an empty file) and its holder's pid are the only additions.
    expect(readdirSync(dir).sort()).toEqual([
      "state.json",
      "state.json.journal",
      "state.json.lock",
      "state.json.lock.pid",
    ]);
    expect(readFileSync(`${statePath}.lock.pid`, "utf8")).toBe(`${process.pid}\n`);
    loaded.abandon();
    expect(filesOf(dir)).toEqual(before);
    // A start that goes on does the repairs.
    const started = DurableScheduler.load({ statePath });
    expect(filesOf(dir).get("state.json")).toEqual(before.get("state.json"));
    started.start();
    expect(started.report.setAside).toHaveLength(2);
    expect(readdirSync(dir).filter((n) => n.includes(".damaged-"))).toHaveLength(2);
    started.close();
  });

  it("load() leaves a torn journal as it is; abandon() and a close() before start() write nothing", async () => {
    const dir = stateDir();
    const statePath = path.join(dir, "state.json");
    const first = DurableScheduler.open({ statePath });
    await first.api.addTask({ worker: W, task_id: "A", family: "A", status: "DONE" });
    first.close();
    const second = DurableScheduler.open({ statePath });
    await second.api.addTask({ worker: W, task_id: "B", family: "B", status: "DONE" });
    second.abandon();
    appendFileSync(`${statePath}.journal`, '{"s":3,"t":1000000,"m":"addTask","a":{"worker":"W"');
    const before = filesOf(dir);
    for (const letGo of ["abandon", "close"] as const) {
      const loaded = DurableScheduler.load({ statePath });
      expect(loaded.report.skippedLines).toBe(1);
      expect(loaded.core.stepCount).toBe(2);
      // Nothing can change it before start(): a change would have to be journaled.
      expect(() => loaded.api.addTask({ worker: W, task_id: "C", family: "C" })).toThrow(
        "the scheduler is starting",
      );
      loaded[letGo]();
      expect(filesOf(dir)).toEqual(before);
    }
    // Started, the torn line is rewritten away at once.
    const live = DurableScheduler.open({ statePath });
    expect(readFileSync(`${statePath}.journal`, "utf8")).toBe("");
    expect(live.core.stepCount).toBe(2);
    live.close();
    expect(readdirSync(dir).sort()).toEqual(["state.json", "state.json.journal"]);
  });

  it("refuses a second holder of one state path under every spelling, naming the path and the pid", () => {
    const dir = stateDir();
    const real = path.join(realpathSync(dir), "state.json");
    const statePath = path.join(dir, "state.json");
    mkdirSync(path.join(dir, "sub"));
    symlinkSync(dir, path.join(dir, "sub", "link"));
    symlinkSync(statePath, path.join(dir, "alias.json"));
    const holder = DurableScheduler.open({ statePath });
    writeFileSync(statePath, "{}"); // would be read as damaged; a refused open must not touch it
    const spellings = [
      statePath,
      path.relative(process.cwd(), statePath),
      path.join(dir, "sub", "..", "state.json"),
      path.join(dir, "sub", "link", "state.json"),
      path.join(dir, "alias.json"),
    ];
    for (const spelling of spellings) {
      let thrown: unknown;
      try {
        DurableScheduler.load({ statePath: spelling });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, spelling).toBeInstanceOf(StateLockedError);
      const locked = thrown as StateLockedError;
      expect(locked.code).toBe("ALREADY_RUNNING");
      expect(locked.details).toEqual({ statePath: real, pid: process.pid });
      expect(locked.message).toContain(real);
      expect(locked.message).toContain(`pid ${process.pid}`);
    }
    expect(readFileSync(statePath, "utf8")).toBe("{}");
    holder.abandon();
    // Released, the next one gets it.
    const next = DurableScheduler.load({ statePath: path.join(dir, "sub", "link", "state.json") });
    expect(next.statePath).toBe(real);
    next.abandon();
  });
});
