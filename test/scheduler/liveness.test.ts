import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

describe("worker liveness and pruning (SPEC 2.7)", () => {
  test("a silent worker is removed and its running step fails, then goes to another worker", () => {
    f = fixture({ retryDelay: 30 });
    f.add("A", { worker: "W1" });
    f.add("A", { worker: "W2" });
    expect(f.next("W1")).toBe("A");
    for (let i = 0; i < 7; i++) {
      f.clock.advance(10);
      f.s.ping({ worker: "W2" });
    }
    f.s.prune();
    expect(f.s.workerList().map((w) => w.name)).toEqual(["W2"]);
    const rec = f.s.inspectStep("A");
    expect(rec?.status).toBe("FAILED");
    expect(rec?.workerRunning).toBeNull();
    expect(rec?.failures).toHaveLength(1);
    expect([...(rec?.workers ?? [])]).toEqual(["W2"]);
    expect([...(rec?.stakeholders ?? [])]).toEqual(["W2"]);
    expect(f.next("W2")).toBeNull();
    f.clock.advance(31);
    f.s.prune();
    expect(f.next("W2")).toBe("A");
  });

  test("a running step another worker found complete is DONE, not FAILED, when its runner disappears", () => {
    f = fixture({ retryDelay: 30 });
    f.add("A", { worker: "W1" });
    f.add("B", { worker: "W1" });
    expect(f.next("W1")).toBe("A");
    expect(f.next("W1")).toBe("B");
    // W1 wrote A's output and died before reporting; W2's walk finds A complete, B not.
    f.add("A", { worker: "W2", status: "DONE", runnable: false });
    f.add("B", { worker: "W2", status: "PENDING" });
    expect(f.status("A")).toBe("RUNNING"); // the running guard: only the runner changes a running step
    for (let i = 0; i < 7; i++) {
      f.clock.advance(10);
      f.s.ping({ worker: "W2" });
    }
    f.s.prune();
    expect(f.status("A")).toBe("DONE");
    expect(f.s.inspectStep("A")?.foundComplete).toBe(false);
    expect(f.status("B")).toBe("FAILED");
  });

  test("a DONE claim refused while running is forgotten once the runner reports itself", () => {
    f = fixture({ retryDelay: 30 });
    f.add("A", { worker: "W1" });
    expect(f.next("W1")).toBe("A");
    f.add("A", { worker: "W2", status: "DONE", runnable: false });
    f.fail("A", "W1");
    expect(f.s.inspectStep("A")?.foundComplete).toBe(false);
  });

  test("a worker is dropped only after worker_disconnect_delay of silence (strictly)", () => {
    f = fixture({ workerDisconnectDelay: 60 });
    f.s.ping({ worker: "W1" });
    f.clock.advance(60);
    f.s.prune();
    expect(f.s.workerList()).toHaveLength(1);
    f.clock.advance(0.001);
    f.s.prune();
    expect(f.s.workerList()).toHaveLength(0);
  });

  test("any RPC keeps a worker alive (the liveness heap is re-armed lazily)", () => {
    f = fixture();
    f.s.ping({ worker: "W1" });
    for (let i = 0; i < 20; i++) {
      f.clock.advance(50);
      f.add(`S${i}`);
      f.s.prune();
    }
    expect(f.s.workerList()).toHaveLength(1);
  });

  test("steps without stakeholders are removed remove_delay after their workers went", () => {
    f = fixture({ removeDelay: 600, workerDisconnectDelay: 60 });
    f.add("A", { status: "DONE", deps: ["B"] });
    f.clock.advance(61);
    f.s.prune();
    expect(f.s.inspectStep("A")?.remove).toBe(f.clock.t + 600);
    expect(f.s.inspectStep("B")?.remove).toBe(f.clock.t + 600);
    f.clock.advance(599);
    f.s.prune();
    expect(f.s.stepCount).toBe(2);
    f.clock.advance(1);
    f.s.prune();
    expect(f.s.stepCount).toBe(0);
  });

  test("add_task clears the removal deadline", () => {
    f = fixture({ removeDelay: 100 });
    f.add("A");
    f.clock.advance(61);
    f.s.prune();
    expect(f.s.inspectStep("A")?.remove).not.toBeNull();
    f.clock.advance(50);
    f.add("A");
    expect(f.s.inspectStep("A")?.remove).toBeNull();
    f.clock.advance(60);
    f.s.prune();
    expect(f.status("A")).toBe("PENDING");
  });

  test("a step added only by an assistant is scheduled for removal at the next prune", () => {
    f = fixture({ removeDelay: 10 });
    f.add("A", { worker: "H", assistant: true });
    f.s.prune();
    expect(f.s.inspectStep("A")?.remove).toBe(f.clock.t + 10);
  });

  test("a RUNNING step without stakeholders gets its removal timer only after it stops", () => {
    f = fixture({ removeDelay: 10 });
    f.add("A", { worker: "H", assistant: true });
    f.work("H", { assistant: true });
    expect(f.status("A")).toBe("RUNNING");
    f.s.prune();
    expect(f.s.inspectStep("A")?.remove).toBeNull();
    f.add("A", { worker: "H", status: "DONE", assistant: true });
    f.s.prune();
    expect(f.s.inspectStep("A")?.remove).toBe(f.clock.t + 10);
  });

  test("a live assistant's running step is not failed; it fails once the assistant goes", () => {
    f = fixture();
    f.add("A");
    expect(f.work("H", { assistant: true }).task_id).toBe("A");
    f.clock.advance(30);
    f.s.ping({ worker: "W1" });
    f.s.prune();
    expect(f.status("A")).toBe("RUNNING");
    f.clock.advance(31);
    f.s.ping({ worker: "W1" });
    f.s.prune();
    expect(f.status("A")).toBe("FAILED");
  });

  test("a runner that is no stakeholder and no assistant loses its step at the next prune", () => {
    f = fixture();
    f.add("A");
    f.add("A", { worker: "W9", status: "RUNNING", assistant: true });
    expect(f.s.inspectStep("A")?.workerRunning).toBe("W9");
    f.s.prune();
    expect(f.status("A")).toBe("FAILED");
  });

  test("disable_worker: no new work, steps keep the worker as stakeholder, running ones finish", () => {
    f = fixture();
    f.add("A");
    f.add("B");
    f.next("W1");
    f.s.disableWorker({ worker: "W1" });
    expect(f.s.countPending({ worker: "W1" }).worker_state).toBe("disabled");
    expect(f.s.workerList()[0]?.state).toBe("disabled");
    f.done("A");
    expect(f.status("A")).toBe("DONE");
    expect(f.s.inspectStep("B")?.stakeholders.includes("W1")).toBe(true);
    expect(f.s.inspectStep("B")?.workers.length).toBe(0);
  });

  test("removing a worker only touches its own steps", () => {
    f = fixture();
    for (let i = 0; i < 50; i++) f.add(`Other${i}`, { worker: "W2" });
    f.add("Mine", { worker: "W1" });
    f.add("Shared", { worker: "W1" });
    f.add("Shared", { worker: "W2" });
    f.clock.advance(40);
    f.s.ping({ worker: "W2" });
    f.clock.advance(21);
    f.s.prune();
    expect(f.s.inspectStep("Mine")?.stakeholders.length).toBe(0);
    expect([...(f.s.inspectStep("Shared")?.workers ?? [])]).toEqual(["W2"]);
    expect(f.s.countPending({ worker: "W2" }).n_unique_pending).toBe(51);
  });
});

describe("rpc messages and step messages", () => {
  test("set_worker_processes is queued and delivered by the next ping, once", () => {
    f = fixture();
    f.s.setWorkerProcesses({ worker: "W1", n: 4 });
    expect(f.s.workerList()[0]?.num_unread_rpc_messages).toBe(1);
    expect(f.s.ping({ worker: "W1" })).toEqual({
      rpc_messages: [{ name: "set_worker_processes", kwargs: { n: 4 } }],
    });
    expect(f.s.ping({ worker: "W1" })).toEqual({ rpc_messages: [] });
  });

  test("scheduler messages: dispatched through ping, replies stored and popped", () => {
    f = fixture({ newMessageId: () => "m-1" });
    f.add("A", { accepts_messages: true });
    f.next();
    expect(f.s.sendSchedulerMessage({ worker: "W1", task: "A", content: "hi" })).toEqual({
      message_id: "m-1",
    });
    expect(f.s.ping({ worker: "W1" }).rpc_messages).toEqual([
      { name: "dispatch_scheduler_message", kwargs: { task_id: "A", message_id: "m-1", content: "hi" } },
    ]);
    expect(f.s.getSchedulerMessageResponse({ task_id: "A", message_id: "m-1" })).toEqual({ response: null });
    f.s.addSchedulerMessageResponse({ task_id: "A", message_id: "m-1", response: "ho" });
    expect(f.s.getSchedulerMessageResponse({ task_id: "A", message_id: "m-1" })).toEqual({ response: "ho" });
    expect(f.s.getSchedulerMessageResponse({ task_id: "A", message_id: "m-1" })).toEqual({ response: null });
    expect(f.s.taskList({ status: "RUNNING" })).toMatchObject({ A: { accepts_messages: true } });
    const off = fixture({ sendMessages: false });
    expect(off.s.sendSchedulerMessage({ worker: "W1", task: "A", content: "x" })).toEqual({
      message_id: null,
    });
  });

  test("status message and progress are stored per step; unknown ids answer Luigi's defaults", () => {
    f = fixture();
    f.add("A");
    f.s.setTaskStatusMessage({ task_id: "A", status_message: "50%" });
    f.s.setTaskProgressPercentage({ task_id: "A", progress_percentage: 50 });
    expect(f.s.getTaskStatusMessage({ task_id: "A" })).toEqual({ taskId: "A", statusMessage: "50%" });
    expect(f.s.getTaskProgressPercentage({ task_id: "A" })).toEqual({ taskId: "A", progressPercentage: 50 });
    expect(f.s.getTaskStatusMessage({ task_id: "B" })).toEqual({ taskId: "B", statusMessage: "" });
    expect(f.s.getTaskProgressPercentage({ task_id: "B" })).toEqual({
      taskId: "B",
      progressPercentage: null,
    });
  });

  test("add_worker takes an object or Luigi's list of pairs; report_task_statistics reaches the hook", () => {
    const stats: unknown[] = [];
    f = fixture({ hooks: { taskStatistics: (id, s) => stats.push([id, s]) } });
    f.s.addWorker({
      worker: "W1",
      info: [
        ["host", "box"],
        ["workers", 3],
      ],
    });
    f.s.addWorker({ worker: "W1", info: { username: "ana" } });
    expect(f.s.workerList()[0]).toMatchObject({ host: "box", workers: 3, username: "ana" });
    f.s.reportTaskStatistics({ task_id: "A", statistics: { rows: 1 } });
    expect(stats).toEqual([["A", { rows: 1 }]]);
    expect(
      f.s.announceSchedulingFailure({ task_name: "A", family: "A", params: {}, expl: "", owners: [] }),
    ).toBeNull();
  });
});
