import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

describe("count_pending (SPEC 2.7)", () => {
  test("PENDING and FAILED steps the worker may run are pending; others are not", () => {
    f = fixture();
    f.add("P");
    f.add("F", { status: "FAILED" });
    f.add("F", { status: "FAILED", runnable: true }); // FAILED claims never add eligibility
    f.add("F2");
    f.fail("F2");
    f.add("D", { status: "DONE" });
    f.add("X", { status: "DISABLED" });
    f.add("U", { deps: ["Unknown"] });
    expect(f.s.countPending({ worker: "W1" })).toEqual({
      n_pending_tasks: 3, // P, F2 and U (U waits for a placeholder, it is still pending)
      n_unique_pending: 3,
      n_pending_last_scheduled: 3,
      worker_state: "active",
      running_tasks: [],
    });
  });

  test("unique and last-scheduled counts follow the eligible workers' order", () => {
    f = fixture();
    f.add("Shared", { worker: "W1" });
    f.add("Shared", { worker: "W2" });
    f.add("Shared", { worker: "W1" }); // re-declaring does not move W1 to the end
    f.add("Mine", { worker: "W1" });
    expect(f.s.countPending({ worker: "W1" })).toMatchObject({
      n_pending_tasks: 2,
      n_unique_pending: 1,
      n_pending_last_scheduled: 1,
    });
    expect(f.s.countPending({ worker: "W2" })).toMatchObject({
      n_pending_tasks: 1,
      n_unique_pending: 0,
      n_pending_last_scheduled: 1,
    });
  });

  test("steps upstream of a DISABLED one (through PENDING steps) are not counted", () => {
    f = fixture();
    f.add("Broken", { status: "DISABLED" });
    f.add("B", { deps: ["Broken"] });
    f.add("C", { deps: ["B"] });
    f.add("Failed", { deps: ["Broken"] });
    f.add("Failed", { status: "FAILED" });
    f.add("AfterFailed", { deps: ["Failed"] });
    f.add("Free");
    // B and C are UPSTREAM_DISABLED; a FAILED step is counted and stops the walk.
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(3);
    f.add("Broken", { status: "DONE" });
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(5);
    f.clock.advance(11);
    f.add("Broken", { status: "DISABLED" });
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(3);
    f.add("C", { deps: ["Free"] });
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(4);
  });

  test("a blocked step becomes countable when its dep is re-enabled or deleted", () => {
    f = fixture({ retryCount: 1, removeDelay: 0 });
    f.add("Dep", { worker: "W2" });
    f.add("Top", { deps: ["Dep"] });
    expect(f.next("W2")).toBe("Dep");
    f.fail("Dep", "W2");
    expect(f.status("Dep")).toBe("DISABLED");
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(0);
    f.s.reEnableTask({ task_id: "Dep" });
    expect(f.s.countPending({ worker: "W1" }).n_pending_tasks).toBe(1);
  });

  test("running_tasks lists RUNNING steps the worker may run, with the runner's info", () => {
    f = fixture();
    f.s.addWorker({ worker: "W2", info: { host: "b2", workers: 1 } });
    f.add("A", { worker: "W1" });
    f.add("A", { worker: "W2" });
    expect(f.next("W2")).toBe("A");
    expect(f.work("W1")).toMatchObject({
      n_pending_tasks: 0,
      task_id: null,
      running_tasks: [{ task_id: "A", worker: "W2", host: "b2", workers: 1 }],
    });
  });

  test("count_pending names a worker into existence, like Luigi", () => {
    f = fixture();
    expect(f.s.countPending({ worker: "Ghost" }).worker_state).toBe("active");
    expect(f.s.workerList().map((w) => w.name)).toEqual(["Ghost"]);
  });
});
