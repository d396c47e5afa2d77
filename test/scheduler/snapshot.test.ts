import { describe, expect, test } from "vitest";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { consistent, fixture, type Fixture } from "./helpers.js";

function richState(): Fixture {
  const f = fixture({ retryCount: 2, resources: { db: 2 }, newMessageId: () => "m1" });
  f.s.addWorker({
    worker: "W1",
    info: [
      ["host", "a"],
      ["workers", 2],
    ],
  });
  f.s.addWorker({ worker: "W2", info: { host: "b", assistant: false } });
  f.s.addTaskBatcher({ worker: "W1", task_family: "Batch", batched_args: ["d"] });
  f.s.addTaskBatcher({ worker: "W1", task_family: "Other", batched_args: ["d"], max_batch_size: 5 });
  f.add("Top", {
    deps: ["Mid", "Ghost"],
    priority: 3,
    params: { a: "1", h: "x" },
    param_visibilities: { h: 1 },
  });
  f.add("Mid", { deps: ["Leaf"], resources: { db: 1 }, retry_policy_dict: { retry_count: 5 } });
  f.add("Leaf", { resources: { db: 1 }, module: "mod" });
  f.add("Leaf", { worker: "W2" });
  f.add("Flaky", { priority: 10 });
  f.add("Off", { status: "DISABLED" });
  f.add("Blocked", { deps: ["Off"] });
  f.add("Old", { status: "DONE" });
  f.add("Dyn", { deps: ["Old"], new_deps: ["Yielded"] });
  expect(f.next("W1")).toBe("Flaky");
  f.fail("Flaky");
  f.add("Flaky", { priority: 10 });
  expect(f.next("W1")).toBe("Flaky");
  f.fail("Flaky"); // second failure: scheduler-disabled
  expect(f.next("W1")).toBe("Leaf");
  f.s.setTaskStatusMessage({ task_id: "Leaf", status_message: "busy" });
  f.s.setTaskProgressPercentage({ task_id: "Leaf", progress_percentage: 12 });
  f.add("Leaf", { status: "RUNNING", tracking_url: "http://t", accepts_messages: true });
  f.s.decreaseRunningTaskResources({ task_id: "Leaf", decrease_resources: { db: 1 } });
  f.s.sendSchedulerMessage({ worker: "W1", task: "Leaf", content: "hello" });
  f.s.addSchedulerMessageResponse({ task_id: "Leaf", message_id: "m0", response: { ok: true } });
  f.s.setWorkerProcesses({ worker: "W2", n: 4 });
  f.s.disableWorker({ worker: "W2" });
  f.clock.advance(61);
  f.s.ping({ worker: "W1" });
  f.s.prune(); // W2 goes; its steps lose it; timers start
  return f;
}

describe("exportState / importState", () => {
  test("round-trips every record through JSON and rebuilds the indexes", () => {
    const f = richState();
    const snap = f.s.exportState();
    const json = JSON.parse(JSON.stringify(snap)) as unknown;
    const copy = Scheduler.importState(json, { clock: f.clock.now, retryCount: 2, resources: { db: 2 } });
    consistent(copy);
    expect(copy.exportState()).toEqual(snap);
    expect([...(copy.inspectStep("Dyn")?.dynamicDeps ?? [])]).toEqual(["Yielded"]);
    expect(copy.taskList({})).toEqual(f.s.taskList({}));
    expect(copy.workerList()).toEqual(f.s.workerList());
    expect(copy.countPending({ worker: "W1" })).toEqual(f.s.countPending({ worker: "W1" }));
    expect(copy.getSchedulerMessageResponse({ task_id: "Leaf", message_id: "m0" })).toEqual({
      response: { ok: true },
    });
    expect(copy.inspectStep("Mid")?.retryPolicy.retryCount).toBe(5);
    expect(snap.batchers).toContainEqual({
      worker: "W1",
      family: "Batch",
      batchedArgs: ["d"],
      maxBatchSize: null,
    });
  });

  test("the copy behaves like the original over time", () => {
    const f = richState();
    const copy = Scheduler.importState(f.s.exportState(), {
      clock: f.clock.now,
      retryCount: 2,
      resources: { db: 2 },
    });
    for (const s of [f.s, copy]) {
      s.addTask({ worker: "W1", task_id: "Leaf", status: "DONE" });
    }
    expect(copy.getWork({ worker: "W1" })).toEqual(f.s.getWork({ worker: "W1" }));
    for (const dt of [10, 400, 1000, 90000]) {
      f.clock.advance(dt);
      f.s.prune();
      copy.prune();
      expect(copy.exportState()).toEqual(f.s.exportState());
      consistent(copy);
      consistent(f.s);
    }
  });

  test("rejects what is not a snapshot", () => {
    const f = fixture();
    expect(() => Scheduler.importState({ format: "x" }, { clock: f.clock.now })).toThrow(TypeError);
    expect(() => Scheduler.importState(null, { clock: f.clock.now })).toThrow(TypeError);
  });
});
