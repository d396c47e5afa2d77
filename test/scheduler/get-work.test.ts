import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

describe("rank (SPEC 2.4 step 5, 2.5)", () => {
  test("higher priority first", () => {
    f = fixture();
    f.add("A", { priority: 0 });
    f.add("B", { priority: 10 });
    f.add("C", { priority: 5 });
    expect([f.next(), f.next(), f.next(), f.next()]).toEqual(["B", "C", "A", null]);
  });

  test("equal priority: the older record first", () => {
    f = fixture();
    f.add("Young");
    f.s.inspectStep("Young");
    f.clock.advance(-5); // a record created "earlier" by the clock, later by call order
    f.add("Old");
    f.clock.advance(10);
    expect([f.next(), f.next()]).toEqual(["Old", "Young"]);
  });

  test("equal priority and time: creation order", () => {
    f = fixture();
    for (const id of ["C", "A", "B"]) f.add(id);
    expect([f.next(), f.next(), f.next()]).toEqual(["C", "A", "B"]);
  });

  test("priorities only increase", () => {
    f = fixture();
    f.add("A", { priority: 10 });
    f.add("A", { priority: 1 });
    expect(f.s.inspectStep("A")?.priority).toBe(10);
  });

  test("a priority is pushed down to dependencies, placeholders start with it", () => {
    f = fixture();
    f.add("Other", { priority: 5 });
    f.add("Top", { priority: 10, deps: ["Dep"] });
    expect(f.s.inspectStep("Dep")?.priority).toBe(10);
    f.add("Dep", { priority: 0 });
    expect(f.s.inspectStep("Dep")?.priority).toBe(10);
    expect(f.next()).toBe("Dep");
  });

  test("raising a known step raises its known dependencies, transitively", () => {
    f = fixture();
    f.add("A");
    f.add("B", { deps: ["A"] });
    f.add("C", { deps: ["B"] });
    f.add("C", { priority: 7 });
    expect(["A", "B", "C"].map((id) => f.s.inspectStep(id)?.priority)).toEqual([7, 7, 7]);
  });

  test("a chain of 5000 dependencies takes a raised priority without recursion", () => {
    f = fixture();
    const n = 5000;
    for (let i = 0; i < n; i++) f.add(`S${i}`, { deps: i === 0 ? [] : [`S${i - 1}`] });
    f.add(`S${n - 1}`, { priority: 100 });
    expect(f.s.inspectStep("S0")?.priority).toBe(100);
    expect(f.s.inspectStep(`S${n >> 1}`)?.priority).toBe(100);
    // Added from the top down (placeholders first), too.
    const g = fixture();
    for (let i = n - 1; i >= 0; i--)
      g.add(`T${i}`, { deps: i === 0 ? [] : [`T${i - 1}`], priority: i === n - 1 ? 9 : 0 });
    expect(g.s.inspectStep("T0")?.priority).toBe(9);
    expect(g.next()).toBe("T0");
    consistent(g.s);
  });
});

describe("readiness (SPEC 2.4 schedulable)", () => {
  test("a step waits until every dep exists and is DONE", () => {
    f = fixture();
    f.add("B", { deps: ["A", "X"] });
    expect(f.next()).toBeNull();
    f.add("A");
    expect(f.next()).toBe("A");
    f.done("A");
    expect(f.next()).toBeNull(); // X is only a placeholder
    f.add("X", { status: "DONE" });
    expect(f.next()).toBe("B");
  });

  test("a dep that is re-opened blocks its dependant again", () => {
    f = fixture();
    f.add("A", { status: "DONE" });
    f.add("B", { deps: ["A"] });
    f.clock.advance(11);
    f.add("A");
    expect(f.next()).toBe("A");
    expect(f.next()).toBeNull();
  });

  test("a missing dep (no record) blocks: an assistant adds no placeholders", () => {
    f = fixture();
    f.add("B", { deps: ["A"], assistant: true });
    expect(f.s.inspectStep("A")).toBeUndefined();
    expect(f.next()).toBeNull();
  });

  test("dependencies win over priority", () => {
    f = fixture();
    f.add("Low", { priority: 0 });
    f.add("High", { priority: 100, deps: ["Dep"] });
    f.add("Dep", { worker: "W2" });
    expect(f.next("W1")).toBe("Low");
  });

  test("a worker only gets steps it declared runnable", () => {
    f = fixture();
    f.add("A", { worker: "W2" });
    f.add("B", { worker: "W1", runnable: false });
    expect(f.next("W1")).toBeNull();
    expect(f.next("W2")).toBe("A");
  });

  test("an assistant takes any runnable step, not ones nobody may run", () => {
    f = fixture();
    f.add("A", { runnable: false });
    f.add("B", { priority: -1 });
    const reply = f.work("Helper", { assistant: true });
    expect(reply.task_id).toBe("B");
    expect(f.s.workerList().find((w) => w.name === "Helper")?.assistant).toBe(true);
  });
});

describe("resources (SPEC 2.4 step 6)", () => {
  test("capacity from options; a step needing more than is free waits", () => {
    f = fixture({ resources: { db: 2 } });
    for (const id of ["A", "B", "C"]) f.add(id, { resources: { db: 1 } });
    expect([f.next(), f.next(), f.next()]).toEqual(["A", "B", null]);
    f.done("A");
    expect(f.next()).toBe("C");
  });

  test("an undeclared resource has capacity 1", () => {
    f = fixture();
    f.add("A", { resources: { gpu: 1 } });
    f.add("B", { resources: { gpu: 1 } });
    expect([f.next(), f.next()]).toEqual(["A", null]);
  });

  test("a step that can never fit is skipped for lower-ranked ones that do", () => {
    f = fixture({ resources: { db: 2 } });
    f.add("Huge", { resources: { db: 3 }, priority: 10 });
    f.add("Small", { resources: { db: 1 } });
    f.add("Free");
    expect([f.next(), f.next(), f.next()]).toEqual(["Small", "Free", null]);
  });

  test("resources are released when the step fails", () => {
    f = fixture();
    f.add("A", { resources: { gpu: 1 } });
    f.add("B", { resources: { gpu: 1 } });
    expect(f.next()).toBe("A");
    f.fail("A");
    expect(f.next()).toBe("B");
  });

  test("decrease_running_task_resources frees capacity while the step runs", () => {
    f = fixture({ resources: { db: 2 } });
    f.add("A", { resources: { db: 2 } });
    f.add("B", { resources: { db: 1 } });
    expect([f.next(), f.next()]).toEqual(["A", null]);
    f.s.decreaseRunningTaskResources({ task_id: "A", decrease_resources: { db: 1, other: 5, neg: -1 } });
    expect(f.s.getRunningTaskResources({ task_id: "A" })).toEqual({ taskId: "A", resources: { db: 1 } });
    expect(f.next()).toBe("B");
    f.s.decreaseRunningTaskResources({ task_id: "A", decrease_resources: { db: 9 } });
    expect(f.s.getRunningTaskResources({ task_id: "A" }).resources).toEqual({ db: 0 });
    expect(f.s.getRunningTaskResources({ task_id: "nope" })).toEqual({ taskId: "nope", resources: null });
  });

  test("update_resource and update_resources change capacities at runtime", () => {
    f = fixture();
    f.add("A", { resources: { db: 1 } });
    f.add("B", { resources: { db: 1 } });
    f.next();
    expect(f.next()).toBeNull();
    expect(f.s.updateResource({ resource: "db", amount: 1.5 })).toBe(false);
    expect(f.s.updateResource({ resource: "db", amount: -1 })).toBe(false);
    expect(f.s.updateResource({ resource: "db", amount: 2 })).toBe(true);
    expect(f.next()).toBe("B");
    f.s.updateResources({ gpu: 4 });
    expect(f.s.resourceList().map((r) => [r.name, r.num_total])).toEqual([
      ["db", 2],
      ["gpu", 4],
    ]);
  });

  test("a higher-ranked step of another live worker reserves its resources", () => {
    f = fixture({ resources: { r: 1 } });
    f.add("High", { worker: "W2", priority: 10, resources: { r: 1 } });
    f.add("Low", { worker: "W1", priority: 0, resources: { r: 1 } });
    f.work("W2", { current_tasks: [] }); // W2 is live now... and takes High
    f.s.markAsDone({ task_id: "High" });
    f.add("High2", { worker: "W2", priority: 10, resources: { r: 1 } });
    // W2 polled recently and has a free slot: Low must not take the resource High2 is about to need.
    expect(f.next("W1")).toBeNull();
    // Once W2 is not live for reservations any more, W1 may go ahead.
    f.clock.advance(61);
    f.s.ping({ worker: "W2" });
    expect(f.next("W1")).toBe("Low");
  });

  test("no reservation for a worker whose slots are all busy", () => {
    f = fixture({ resources: { r: 1 } });
    f.add("Busy", { worker: "W2", priority: 20 });
    f.add("High", { worker: "W2", priority: 10, resources: { r: 1 } });
    f.add("Low", { worker: "W1", resources: { r: 1 } });
    expect(f.next("W2")).toBe("Busy"); // W2 has 1 process, now busy
    expect(f.next("W1")).toBe("Low");
  });

  test("a worker's own higher-ranked busy step also keeps lower ones off its resources", () => {
    f = fixture({ resources: { r: 1 } });
    f.add("Holder", { worker: "W2", resources: { r: 1 }, priority: 50 });
    expect(f.next("W2")).toBe("Holder");
    f.s.addWorker({ worker: "W1", info: { workers: 2 } });
    f.add("High", { worker: "W1", priority: 10, resources: { r: 1 } });
    f.add("Low", { worker: "W1", priority: 0, resources: { r: 1 } });
    expect(f.next("W1")).toBeNull();
    f.done("Holder", "W2");
    expect(f.next("W1")).toBe("High");
  });
});

describe("get_work replies and modes", () => {
  test("the pending counts are computed before the chosen step starts", () => {
    f = fixture();
    f.add("A");
    f.add("B");
    const reply = f.work();
    expect(reply).toEqual({
      n_pending_tasks: 2,
      n_unique_pending: 2,
      n_pending_last_scheduled: 2,
      worker_state: "active",
      running_tasks: [],
      task_id: "A",
      task_family: "A",
      task_module: null,
      task_params: {},
    });
    const rec = f.s.inspectStep("A");
    expect([rec?.timeRunning, rec?.resourcesRunning]).toEqual([f.clock.t, {}]);
  });

  test("task_params carry all params, hidden ones included", () => {
    f = fixture();
    f.add("A", { params: { a: "1", secret: "x" }, param_visibilities: { secret: 1 } });
    expect(f.work().task_params).toEqual({ a: "1", secret: "x" });
  });

  test("lost-assignment recovery: a running step missing from current_tasks is handed out again", () => {
    f = fixture();
    f.add("A", { priority: 1 });
    f.add("B");
    expect(f.next()).toBe("A");
    f.clock.advance(5);
    expect(f.work("W1", { current_tasks: [] }).task_id).toBe("A");
    expect(f.s.inspectStep("A")?.timeRunning).toBe(f.clock.t);
    expect(f.work("W1", { current_tasks: ["A"] }).task_id).toBe("B");
    expect(f.work("W1").task_id).toBeNull();
  });

  test("a paused scheduler hands out nothing; pause needs pause_enabled", () => {
    f = fixture();
    f.add("A");
    f.s.pause();
    expect(f.s.isPaused()).toEqual({ paused: true });
    expect(f.next()).toBeNull();
    f.s.unpause();
    expect(f.next()).toBe("A");
    const g = fixture({ pauseEnabled: false });
    g.s.pause();
    expect(g.s.isPaused()).toEqual({ paused: false });
    expect(g.s.isPauseEnabled()).toEqual({ enabled: false });
  });

  test("a disabled worker is told so and gets nothing", () => {
    f = fixture();
    f.add("A");
    f.s.disableWorker({ worker: "W1" });
    expect(f.work()).toEqual({
      n_pending_tasks: 0,
      running_tasks: [],
      task_id: null,
      n_unique_pending: 0,
      worker_state: "disabled",
    });
    expect(f.s.inspectStep("A")?.workers.length).toBe(0);
    expect(f.s.inspectStep("A")?.stakeholders.includes("W1")).toBe(true);
  });

  test("get_work records the worker's host and liveness", () => {
    f = fixture();
    f.work("W1");
    f.clock.advance(3);
    f.s.getWork({ worker: "W1", host: "box" });
    expect(f.s.workerList()[0]).toMatchObject({ name: "W1", last_active: f.clock.t });
  });
});

describe("answers are the caller's own objects", () => {
  test("mutating a reply does not touch the scheduler's state", () => {
    f = fixture();
    f.add("A");
    f.add("B", { params: { x: "1" }, resources: { r: 1 } });
    const reply = f.work();
    (reply.task_params as Record<string, string>)["y"] = "2";
    const node = f.s.taskList({})["B" as never] as {
      params: Record<string, string>;
      resources: Record<string, number>;
    };
    node.params["z"] = "3";
    node.resources["r"] = 9;
    (f.s.fetchError({ task_id: "B" }).taskParams as Record<string, string>)["w"] = "4";
    expect(f.s.inspectStep("A")?.params).toEqual({});
    expect(f.s.inspectStep("B")?.params).toEqual({ x: "1" });
    expect(f.s.inspectStep("B")?.resources).toEqual({ r: 1 });
  });
});
