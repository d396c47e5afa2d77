/**
 * Not a benchmark: nothing is timed. Quadratic behaviour (a scan per call) would make these take hours
 * instead of seconds, and the test timeout catches that.
 */
import { describe, expect, test } from "vitest";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { FakeClock } from "./helpers.js";

const N = 100_000;

describe("scale", () => {
  test(`a fan-in of ${N} steps, then ${N} get_work/DONE cycles (pruning on every get_work)`, () => {
    const clock = new FakeClock();
    const s = new Scheduler({ clock: clock.now, pruneOnGetWork: true });
    const leaves = Array.from({ length: N }, (_, i) => `Leaf_${i}`);
    s.addTask({ worker: "W", task_id: "Root", family: "Root", deps: leaves, priority: 1 });
    for (let i = 0; i < N; i++) {
      s.addTask({ worker: "W", task_id: leaves[i] as string, family: "Leaf", params: { i: String(i) } });
    }
    s.addWorker({ worker: "Other", info: { workers: 4 } });
    expect(s.countPending({ worker: "W" }).n_pending_tasks).toBe(N + 1);
    for (let i = 0; i < N; i++) {
      const reply = s.getWork({ worker: "W", host: "h", current_tasks: [] });
      if (reply.task_id !== leaves[i]) throw new Error(`cycle ${i}: got ${reply.task_id}`);
      if (reply.n_pending_tasks !== N + 1 - i)
        throw new Error(`cycle ${i}: n_pending ${reply.n_pending_tasks}`);
      s.addTask({ worker: "W", task_id: reply.task_id, status: "DONE", deps: null, runnable: null });
      clock.advance(0.0005);
    }
    expect(s.getWork({ worker: "W" }).task_id).toBe("Root");
    s.addTask({ worker: "W", task_id: "Root", status: "DONE" });
    expect(s.getWork({ worker: "W" })).toMatchObject({ task_id: null, n_pending_tasks: 0 });
    expect(s.taskList({ status: "DONE" })).toEqual({ num_tasks: N + 1 });
  }, 60_000);

  test(`a chain of ${N / 10} steps completes step by step`, () => {
    const clock = new FakeClock();
    const s = new Scheduler({ clock: clock.now });
    const n = N / 10;
    for (let i = n - 1; i >= 0; i--) {
      s.addTask({
        worker: "W",
        task_id: `C${i}`,
        deps: i === 0 ? [] : [`C${i - 1}`],
        priority: i === n - 1 ? 5 : 0,
      });
    }
    expect(s.inspectStep("C0")?.priority).toBe(5);
    for (let i = 0; i < n; i++) {
      const id = s.getWork({ worker: "W" }).task_id;
      if (id !== `C${i}`) throw new Error(`step ${i}: got ${id}`);
      s.addTask({ worker: "W", task_id: id, status: "DONE" });
    }
    expect(s.getWork({ worker: "W" }).task_id).toBeNull();
  }, 60_000);
});
