// step_timeline: the latest run of each step as Gantt bars (start, end, outcome, runner, deps among the
// bars), filtered by worker and window, cut to the latest runs; kept through a snapshot and a pack.
import { describe, expect, test } from "vitest";
import { pack, unpack } from "../../src/scheduler/persistence/pack.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { StateSnapshot } from "../../src/scheduler/snapshot.js";
import { consistent, fixture, T0, type Fixture } from "./helpers.js";

/** A -> B -> C chain run by W1 (C runs 10 s, B 20 s, A fails after 5 s), plus D run by W2, still running. */
function chain(): Fixture {
  const f = fixture({ retryDelay: 60 });
  f.add("C");
  f.add("B", { deps: ["C"] });
  f.add("A", { deps: ["B"] });
  f.add("D", { worker: "W2" });
  expect(f.next("W1")).toBe("C");
  f.clock.advance(10);
  f.done("C");
  expect(f.next("W1")).toBe("B");
  f.clock.advance(20);
  f.done("B");
  expect(f.next("W1")).toBe("A");
  expect(f.next("W2")).toBe("D");
  f.clock.advance(5);
  f.fail("A");
  f.clock.advance(1);
  return f;
}

describe("step_timeline", () => {
  test("one bar per run: start, end, outcome, runner, deps among the bars; running ones open", () => {
    const f = chain();
    const t = f.s.stepTimeline({});
    expect(t.now).toBe(T0 + 36);
    expect(t.total).toBe(4);
    expect(t.bars).toEqual([
      { id: "C", family: "C", status: "DONE", start: T0, end: T0 + 10, worker: "W1", deps: [] },
      { id: "B", family: "B", status: "DONE", start: T0 + 10, end: T0 + 30, worker: "W1", deps: ["C"] },
      { id: "A", family: "A", status: "FAILED", start: T0 + 30, end: T0 + 35, worker: "W1", deps: ["B"] },
      { id: "D", family: "D", status: "RUNNING", start: T0 + 30, end: null, worker: "W2", deps: [] },
    ]);
    expect(t.workers).toEqual([
      { worker: "W1", runs: 3 },
      { worker: "W2", runs: 1 },
    ]);
    consistent(f.s);
  });

  test("a step that never ran, or that was complete when announced, has no bar", () => {
    const f = fixture();
    f.add("Old", { status: "DONE" });
    f.add("Waits", { deps: ["Never"] });
    expect(f.s.stepTimeline({}).bars).toEqual([]);
  });

  test("filters: one worker; a window keeps the runs that overlap it", () => {
    const f = chain();
    expect(f.s.stepTimeline({ worker: "W2" }).bars.map((b) => b.id)).toEqual(["D"]);
    // The worker list still names every worker of the window.
    expect(f.s.stepTimeline({ worker: "W2" }).workers.map((w) => w.worker)).toEqual(["W1", "W2"]);
    // Runs still going at T0+12 or later (C ended at T0+10).
    expect(f.s.stepTimeline({ since: T0 + 12 }).bars.map((b) => b.id)).toEqual(["B", "A", "D"]);
    // Runs handed out by T0+10.
    expect(f.s.stepTimeline({ until: T0 + 10 }).bars.map((b) => b.id)).toEqual(["C", "B"]);
    // A running bar lasts until now.
    expect(f.s.stepTimeline({ since: T0 + 36 }).bars.map((b) => b.id)).toEqual(["D"]);
  });

  test("the limit keeps the runs that started last; deps to cut bars are left out", () => {
    const f = chain();
    const t = f.s.stepTimeline({ limit: 2 });
    expect(t.total).toBe(4);
    expect(t.bars.map((b) => b.id)).toEqual(["A", "D"]);
    expect(t.bars[0]?.deps).toEqual([]);
  });

  test("a failed step waiting for its retry keeps its failed run; the retry replaces it", () => {
    const f = chain();
    for (let i = 0; i < 2; i++) {
      f.clock.advance(30);
      for (const worker of ["W1", "W2"]) f.s.ping({ worker });
    }
    f.s.prune();
    expect(f.status("A")).toBe("PENDING");
    const bar = f.s.stepTimeline({}).bars.find((b) => b.id === "A");
    expect(bar).toMatchObject({ status: "FAILED", start: T0 + 30, end: T0 + 35 });
    expect(f.next("W1")).toBe("A");
    expect(f.s.stepTimeline({}).bars.find((b) => b.id === "A")).toMatchObject({
      status: "RUNNING",
      start: T0 + 96,
      end: null,
    });
    consistent(f.s);
  });

  test("a run whose worker went away keeps its runner in the timeline (Luigi forgets worker_running)", () => {
    const f = fixture({ workerDisconnectDelay: 60 });
    f.add("X");
    expect(f.next("W1")).toBe("X");
    f.add("Y", { worker: "W2" });
    f.clock.advance(100);
    f.s.ping({ worker: "W2" });
    f.s.prune();
    expect(f.status("X")).toBe("FAILED");
    expect(f.s.inspectStep("X")?.workerRunning).toBeNull();
    expect(f.s.stepTimeline({}).bars).toEqual([
      { id: "X", family: "X", status: "FAILED", start: T0, end: T0 + 100, worker: "W1", deps: [] },
    ]);
  });

  test("a failure the scheduler turns into a disable ends as FAILED", () => {
    const f = fixture({ retryCount: 1 });
    f.add("X");
    expect(f.next("W1")).toBe("X");
    f.clock.advance(3);
    f.fail("X");
    expect(f.status("X")).toBe("DISABLED");
    expect(f.s.stepTimeline({}).bars[0]).toMatchObject({ status: "FAILED", end: T0 + 3 });
  });

  test("kept through exportState / importState and the packed snapshot", () => {
    const f = chain();
    const before = f.s.stepTimeline({});
    const snap = unpack(pack(JSON.parse(JSON.stringify(f.s.exportState())) as StateSnapshot));
    const copy = Scheduler.importState(snap, { clock: f.clock.now, retryDelay: 60 });
    consistent(copy);
    expect(copy.stepTimeline({})).toEqual(before);
  });

  test("a snapshot from before the timeline loads; its finished runs end at their last change", () => {
    const f = chain();
    const snap = JSON.parse(JSON.stringify(f.s.exportState())) as {
      steps: Record<string, unknown>[];
    };
    for (const step of snap.steps) {
      delete step.runEnded;
      delete step.runOutcome;
      delete step.runWorker;
    }
    const copy = Scheduler.importState(unpack(pack(snap as never)), { clock: f.clock.now, retryDelay: 60 });
    consistent(copy);
    expect(copy.stepTimeline({}).bars.map((b) => [b.id, b.status, b.end])).toEqual([
      ["C", "DONE", T0 + 10],
      ["B", "DONE", T0 + 30],
      ["A", "FAILED", T0 + 35],
      ["D", "RUNNING", null],
    ]);
  });
});
