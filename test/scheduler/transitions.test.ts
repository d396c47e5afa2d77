import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

describe("SPEC 2.3 transition table", () => {
  test("(absent) -> PENDING on the first add_task, with time and updated set", () => {
    f = fixture();
    f.add("A");
    const rec = f.s.inspectStep("A");
    expect(rec?.status).toBe("PENDING");
    expect(rec?.time).toBe(f.clock.t);
    expect(rec?.updated).toBe(f.clock.t);
  });

  test("(absent) -> PENDING -> S: a first claim of DONE creates a DONE record", () => {
    f = fixture();
    f.add("A", { status: "DONE" });
    expect(f.status("A")).toBe("DONE");
  });

  test("(absent) -> UNKNOWN for a dep, UNKNOWN -> any S when it is added", () => {
    f = fixture();
    f.add("B", { deps: ["A"] });
    expect(f.status("A")).toBe("UNKNOWN");
    expect(f.s.inspectStep("A")?.stakeholders.includes("W1")).toBe(true);
    f.add("A", { status: "DONE" });
    expect(f.status("A")).toBe("DONE");
  });

  test("a placeholder is never runnable", () => {
    f = fixture();
    f.add("B", { deps: ["A"] });
    expect(f.next()).toBeNull();
  });

  test("SUSPENDED is stored as PENDING", () => {
    f = fixture();
    f.add("A", { status: "FAILED" });
    f.add("A", { status: "SUSPENDED" });
    expect(f.status("A")).toBe("PENDING");
  });

  test("PENDING -> RUNNING by get_work, and by a direct RUNNING claim", () => {
    f = fixture();
    f.add("A");
    f.add("B");
    expect(f.next()).toBe("A");
    expect(f.status("A")).toBe("RUNNING");
    expect(f.s.inspectStep("A")?.workerRunning).toBe("W1");
    f.add("B", { worker: "W2", status: "RUNNING" });
    expect(f.status("B")).toBe("RUNNING");
    expect(f.s.inspectStep("B")?.workerRunning).toBe("W2");
  });

  test("RUNNING -> DONE / FAILED only from the running worker", () => {
    f = fixture();
    f.add("A");
    f.add("A", { worker: "W2" });
    f.add("B");
    expect(f.next("W1")).toBe("A");
    f.done("A", "W2");
    expect(f.status("A")).toBe("RUNNING");
    f.add("A", { worker: "W2", status: "PENDING" });
    expect(f.status("A")).toBe("RUNNING");
    f.fail("A", "W2");
    expect(f.status("A")).toBe("RUNNING");
    f.done("A", "W1");
    expect(f.status("A")).toBe("DONE");
    expect(f.next("W1")).toBe("B");
    f.fail("B", "W1");
    expect(f.status("B")).toBe("FAILED");
  });

  test("RUNNING -> PENDING with new_deps (dynamic dependencies), from any worker", () => {
    f = fixture();
    f.add("A");
    expect(f.next()).toBe("A");
    f.add("A", { worker: "W2", status: "PENDING", new_deps: ["D"] });
    expect(f.status("A")).toBe("PENDING");
    expect([...(f.s.inspectStep("A")?.deps ?? [])]).toEqual(["D"]);
    expect(f.status("D")).toBe("UNKNOWN");
    expect(f.next()).toBeNull();
    f.add("D");
    expect(f.next()).toBe("D");
  });

  test("an empty new_deps list does not open the guard", () => {
    f = fixture();
    f.add("A");
    f.next();
    f.add("A", { worker: "W2", status: "PENDING", new_deps: [] });
    expect(f.status("A")).toBe("RUNNING");
  });

  test("rule 1: DISABLED is ignored for a running step", () => {
    f = fixture();
    f.add("A");
    f.next();
    f.add("A", { status: "DISABLED" });
    expect(f.status("A")).toBe("RUNNING");
  });

  test("not running -> DISABLED by a worker, and any claim lifts a worker disable", () => {
    f = fixture();
    f.add("A", { status: "DISABLED" });
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.inspectStep("A")?.schedulerDisableTime).toBeNull();
    expect(f.s.taskList({ status: "DISABLED" })).toMatchObject({ A: { re_enable_able: false } });
    f.add("A");
    expect(f.status("A")).toBe("PENDING");
  });

  test("RUNNING, FAILED, DISABLED -> DONE by mark_as_done; PENDING is left alone", () => {
    f = fixture();
    f.add("R");
    f.add("F", { status: "FAILED" });
    f.add("D", { status: "DISABLED" });
    f.add("P", { priority: -1 });
    expect(f.next()).toBe("R");
    for (const id of ["R", "F", "D"])
      expect(f.s.markAsDone({ task_id: id })).toEqual({ task_id: id, status: "DONE" });
    expect(f.s.markAsDone({ task_id: "P" })).toEqual({ task_id: "P", status: "PENDING" });
    expect(f.s.markAsDone({ task_id: "nope" })).toEqual({ task_id: "nope", status: null });
  });

  test("FAILED -> PENDING on any add_task(PENDING), ignoring retry_delay", () => {
    f = fixture();
    f.add("A", { status: "FAILED" });
    f.add("A");
    expect(f.status("A")).toBe("PENDING");
  });

  test("DONE -> PENDING after the stable-done cooldown only", () => {
    f = fixture();
    f.add("A", { status: "DONE" });
    f.clock.advance(9);
    f.add("A", { worker: "W2" });
    expect(f.status("A")).toBe("DONE");
    // The whole call was ignored: W2 became neither eligible nor a stakeholder.
    expect(f.s.inspectStep("A")?.workers.includes("W2")).toBe(false);
    f.clock.advance(1);
    f.add("A");
    expect(f.status("A")).toBe("PENDING");
  });

  test("a PENDING claim found incomplete after the worker saw it DONE is not filtered by the cooldown", () => {
    f = fixture();
    f.add("A", { status: "DONE" });
    f.clock.advance(1);
    f.add("A", { worker: "W2", incomplete_after_done: true });
    expect(f.status("A")).toBe("PENDING");
    expect(f.next("W2")).toBe("A");
  });

  test("the cooldown only filters PENDING claims", () => {
    f = fixture();
    f.add("A", { status: "DONE" });
    f.add("A", { status: "FAILED" });
    expect(f.status("A")).toBe("FAILED");
  });

  test("scheduler-disabled: ignores PENDING/FAILED/RUNNING claims, DONE re-enables and applies", () => {
    f = fixture({ retryCount: 1 });
    f.add("A", { status: "FAILED" });
    expect(f.status("A")).toBe("DISABLED");
    for (const status of ["PENDING", "FAILED", "RUNNING"] as const) {
      f.add("A", { status });
      expect(f.status("A")).toBe("DISABLED");
    }
    f.add("A", { status: "DONE" });
    expect(f.status("A")).toBe("DONE");
    const rec = f.s.inspectStep("A");
    expect(rec?.schedulerDisableTime).toBeNull();
    expect(rec?.failures ?? []).toEqual([]);
  });

  test("scheduler-disabled: another DISABLED turns it into a worker disable", () => {
    f = fixture({ retryCount: 1 });
    f.add("A", { status: "FAILED" });
    f.add("A", { status: "DISABLED" });
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.inspectStep("A")?.schedulerDisableTime).toBeNull();
    f.add("A");
    expect(f.status("A")).toBe("PENDING");
  });

  test("a disabled worker creates nothing and can only report on running steps", () => {
    f = fixture();
    f.add("A");
    f.add("B");
    f.next("W1");
    f.s.disableWorker({ worker: "W1" });
    f.add("C");
    expect(f.s.inspectStep("C")).toBeUndefined();
    f.add("B", { status: "FAILED" });
    expect(f.status("B")).toBe("PENDING");
    f.done("A");
    expect(f.status("A")).toBe("DONE");
  });

  test("deps: null keeps, a list replaces, new_deps adds", () => {
    f = fixture();
    f.add("A", { deps: ["X", "Y"] });
    f.add("A", { deps: null });
    expect([...(f.s.inspectStep("A")?.deps ?? [])]).toEqual(["X", "Y"]);
    f.add("A", { deps: ["Y", "Z"] });
    expect([...(f.s.inspectStep("A")?.deps ?? [])].sort()).toEqual(["Y", "Z"]);
    f.add("A", { deps: null, new_deps: ["Q"] });
    expect([...(f.s.inspectStep("A")?.deps ?? [])].sort()).toEqual(["Q", "Y", "Z"]);
  });

  test("a re-registration's deps replace only the static deps: the dynamic ones (new_deps) stay", () => {
    f = fixture();
    f.add("A", { deps: ["S"] });
    f.add("S", { status: "DONE" });
    expect(f.next()).toBe("A");
    // A's run yields D: A waits for it.
    f.add("A", { status: "PENDING", deps: null, new_deps: ["D"] });
    f.add("D");
    // Another worker's walk registers A again with its static requirements only.
    f.add("A", { worker: "W2", deps: ["S"] });
    expect([...(f.s.inspectStep("A")?.deps ?? [])].sort()).toEqual(["D", "S"]);
    expect(f.next("W2")).toBeNull();
    expect(f.next("W1")).toBe("D");
    f.done("D");
    expect(f.next("W2")).toBe("A");
  });

  test("a DONE step announced pending again drops the deps its last run yielded", () => {
    f = fixture();
    f.add("A", { deps: ["S"] });
    f.add("S", { status: "DONE" });
    f.next();
    f.add("A", { status: "PENDING", deps: null, new_deps: ["D"] });
    f.done("A");
    f.clock.advance(60);
    f.add("A", { deps: ["S"] });
    expect([...(f.s.inspectStep("A")?.deps ?? [])]).toEqual(["S"]);
    expect(f.s.inspectStep("A")?.dynamicDeps).toBeNull();
    expect(f.next()).toBe("A");
  });

  test("resources are replaced by every call, a call without them resets to {}", () => {
    f = fixture();
    f.add("A", { resources: { db: 1 } });
    expect(f.s.inspectStep("A")?.resources).toEqual({ db: 1 });
    f.add("A");
    expect(f.s.inspectStep("A")?.resources).toEqual({});
  });

  test("family, module, params and visibilities are only filled while empty", () => {
    f = fixture();
    f.add("B", { deps: ["A_1"] });
    f.add("A_1", { family: "A", module: "m", params: { x: "1", h: "s" }, param_visibilities: { h: 1 } });
    f.add("A_1", { family: "Other", module: "n", params: { x: "2" } });
    const rec = f.s.inspectStep("A_1");
    expect([rec?.family, rec?.module, rec?.params]).toEqual(["A", "m", { x: "1", h: "s" }]);
    expect(f.s.fetchError({ task_id: "A_1" })).toMatchObject({
      displayName: "A(x=1)",
      taskParams: { x: "1", h: "s" },
      taskModule: "m",
      taskFamily: "A",
    });
  });

  test("runnable: false or a FAILED claim does not make a worker eligible", () => {
    f = fixture();
    f.add("A", { runnable: false });
    f.add("A", { worker: "W2", status: "FAILED" });
    expect([...(f.s.inspectStep("A")?.workers ?? [])]).toEqual([]);
    expect(f.s.inspectStep("A")?.stakeholders).toEqual(["W1", "W2"]);
  });

  test("an assistant's add_task makes it no stakeholder and creates no placeholders", () => {
    f = fixture();
    f.add("A", { assistant: true, deps: ["X"] });
    expect(f.s.inspectStep("A")?.stakeholders.length).toBe(0);
    expect(f.s.inspectStep("X")).toBeUndefined();
  });

  test("tracking_url of a running step only changes when given; expl is kept when not sent", () => {
    f = fixture();
    f.add("A");
    f.next();
    f.add("A", { status: "RUNNING", tracking_url: "http://t/1" });
    f.add("A", { status: "RUNNING" });
    expect(f.s.inspectStep("A")?.trackingUrl).toBe("http://t/1");
    f.add("A", { status: "FAILED", expl: '"boom"' });
    f.add("A", { status: "PENDING" });
    expect(f.s.inspectStep("A")?.trackingUrl).toBeNull();
    expect(f.s.fetchError({ task_id: "A" }).error).toBe('"boom"');
  });

  test("a RUNNING claim from a worker does not steal a step another worker runs", () => {
    f = fixture();
    f.add("A");
    f.next("W1");
    f.add("A", { worker: "W2", status: "RUNNING" });
    expect(f.s.inspectStep("A")?.workerRunning).toBe("W1");
  });
});

describe("batches (SPEC 2.3 rule 3, 2.4 step 7)", () => {
  function batchFixture(): Fixture {
    const fx = fixture();
    fx.s.addTaskBatcher({ worker: "W1", task_family: "A", batched_args: ["date"] });
    for (const date of ["2016-07-28", "2016-07-29", "2016-07-30"]) {
      fx.add(`A_${date}`, { family: "A", params: { date, kind: "x" }, batchable: true });
    }
    fx.add("A_other", { family: "A", params: { date: "2016-07-31", kind: "y" }, batchable: true });
    return fx;
  }

  test("ready batchable steps of a family with equal other params go out together", () => {
    f = batchFixture();
    const reply = f.work();
    expect(reply.task_id).toBeNull();
    expect(reply.task_family).toBe("A");
    expect(reply.task_params).toEqual({ date: ["2016-07-28", "2016-07-29", "2016-07-30"], kind: "x" });
    expect(reply.batch_task_ids).toEqual(["A_2016-07-28", "A_2016-07-29", "A_2016-07-30"]);
    expect(reply.batch_id).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.n_pending_tasks).toBe(4);
    for (const id of reply.batch_task_ids ?? []) expect(f.status(id)).toBe("BATCH_RUNNING");
    expect(f.status("A_other")).toBe("PENDING");
  });

  test("max_batch_size caps the batch", () => {
    f = batchFixture();
    f.s.addTaskBatcher({ worker: "W1", task_family: "A", batched_args: ["date"], max_batch_size: 2 });
    expect(f.work().batch_task_ids).toHaveLength(2);
  });

  test("the batch head's final status reaches every member, which lose their batch id", () => {
    f = batchFixture();
    const reply = f.work();
    const batchId = reply.batch_id as string;
    f.add("A_batch", { family: "A", status: "RUNNING", batch_id: batchId, params: { date: "x", kind: "x" } });
    expect(f.s.inspectStep("A_batch")?.workerRunning).toBe("W1");
    f.s.setTaskStatusMessage({ task_id: "A_batch", status_message: "half way" });
    expect(f.s.inspectStep("A_2016-07-29")?.statusMessage).toBe("half way");
    f.done("A_batch");
    for (const id of reply.batch_task_ids ?? []) {
      expect(f.status(id)).toBe("DONE");
      expect(f.s.inspectStep(id)?.batchId).toBeNull();
    }
  });

  test("orphaned BATCH_RUNNING members return to PENDING on get_work with current_tasks", () => {
    f = batchFixture();
    const reply = f.work();
    // Paused, so that the same call does not batch them right away again.
    f.s.pause();
    f.work("W1", { current_tasks: [] });
    for (const id of reply.batch_task_ids ?? []) expect(f.status(id)).toBe("PENDING");
    f.s.unpause();
    expect(f.work("W1", { current_tasks: [] }).batch_task_ids).toEqual(reply.batch_task_ids);
  });

  test("BATCH_RUNNING -> RUNNING when the batch's worker claims a member as the combined step", () => {
    f = batchFixture();
    const reply = f.work();
    const head = "A_2016-07-30"; // e.g. batch_method max: the combined step is the latest member
    f.add(head, { status: "RUNNING", batch_id: reply.batch_id ?? null, params: {} });
    expect(f.status(head)).toBe("RUNNING");
    expect(f.s.inspectStep(head)?.workerRunning).toBe("W1");
    f.fail(head);
    for (const id of reply.batch_task_ids ?? []) expect(f.status(id)).toBe("FAILED");
  });

  test("rule 6: a failed batch head that is not batchable is removed at the next prune", () => {
    f = batchFixture();
    const reply = f.work();
    f.add("A_batch", { status: "RUNNING", batch_id: reply.batch_id ?? null, batchable: false });
    f.fail("A_batch");
    expect(f.s.inspectStep("A_batch")?.remove).toBe(f.clock.t);
    f.s.prune();
    expect(f.s.inspectStep("A_batch")).toBeUndefined();
    expect(f.status("A_2016-07-28")).toBe("FAILED"); // batchable members stay
  });

  test("BATCH_RUNNING -> FAILED when the batch's worker is pruned", () => {
    f = batchFixture();
    const reply = f.work();
    f.clock.advance(61);
    f.s.prune();
    for (const id of reply.batch_task_ids ?? []) expect(f.status(id)).toBe("FAILED");
  });

  test("no batcher registered: one step at a time", () => {
    f = fixture();
    f.add("A_1", { family: "A", params: { date: "1" }, batchable: true });
    f.add("A_2", { family: "A", params: { date: "2" }, batchable: true });
    expect(f.work().task_id).toBe("A_1");
  });
});
