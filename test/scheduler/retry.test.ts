import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

/** Takes the step and reports it FAILED, as a worker would. */
function runAndFail(fx: Fixture, id: string): void {
  fx.add(id);
  expect(fx.next()).toBe(id);
  fx.fail(id);
}

describe("retry_delay (SPEC 2.6)", () => {
  test("FAILED returns to PENDING at the first prune after retry_delay", () => {
    f = fixture({ retryDelay: 100, workerDisconnectDelay: 1000 });
    f.add("A");
    f.next();
    f.fail("A");
    expect(f.s.inspectStep("A")?.retry).toBe(f.clock.t + 100);
    f.clock.advance(100);
    f.s.prune();
    expect(f.status("A")).toBe("FAILED"); // `retry < now` is strict
    f.clock.advance(0.5);
    f.s.prune();
    expect(f.status("A")).toBe("PENDING");
    expect(f.next()).toBe("A");
  });

  test("a negative retry_delay never retries automatically", () => {
    f = fixture({ retryDelay: -1 });
    runAndFail(f, "A");
    f.clock.advance(1e6);
    f.s.prune();
    expect(f.status("A")).toBe("FAILED");
  });

  test("forgive_failures: FAILED -> PENDING at once, keeping the history", () => {
    f = fixture({ retryCount: 2 });
    runAndFail(f, "A");
    expect(f.s.forgiveFailures({ task_id: "A" })).toEqual({ task_id: "A", status: "PENDING" });
    expect(f.s.inspectStep("A")?.failures).toHaveLength(1);
    expect(f.next()).toBe("A");
    f.fail("A");
    // The kept first failure plus this one reach retry_count 2.
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.forgiveFailures({ task_id: "nope" })).toEqual({ task_id: "nope", status: null });
    expect(f.s.forgiveFailures({ task_id: "A" })).toEqual({ task_id: "A", status: "DISABLED" });
  });
});

describe("auto-disable (SPEC 2.6)", () => {
  test("retry_count failures within disable_window disable the step", () => {
    const events: string[] = [];
    f = fixture({
      retryCount: 3,
      disableWindow: 100,
      retryDelay: 0,
      hooks: { disabledByScheduler: (s) => events.push(`disabled ${s.id}`) },
    });
    runAndFail(f, "A");
    f.clock.advance(10);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("FAILED");
    f.clock.advance(10);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.inspectStep("A")?.schedulerDisableTime).toBe(f.clock.t);
    expect(events).toEqual(["disabled A"]);
    expect(f.s.taskList({ status: "DISABLED" })).toMatchObject({ A: { re_enable_able: true } });
  });

  test("failures older than the window do not count", () => {
    f = fixture({ retryCount: 2, disableWindow: 100 });
    runAndFail(f, "A");
    f.clock.advance(101);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("FAILED");
    f.clock.advance(50);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("DISABLED");
  });

  test("the step's retry_policy_dict overrides the defaults field by field", () => {
    f = fixture({ retryCount: 100 });
    const policy = { retry_count: 1, disable_hard_timeout: null, disable_window: null };
    f.add("A", { retry_policy_dict: policy });
    f.next();
    f.add("A", { status: "FAILED", retry_policy_dict: policy });
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.inspectStep("A")?.retryPolicy).toEqual({
      retryCount: 1,
      disableHardTimeout: 999999999,
      disableWindow: 3600,
    });
  });

  test("disable_hard_timeout: any failure that long after the first one disables", () => {
    f = fixture({ disableHardTimeout: 1000, disableWindow: 10 });
    runAndFail(f, "A");
    f.clock.advance(999);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("FAILED");
    f.add("A", { status: "DONE" }); // success does not reset the first failure
    f.clock.advance(11);
    runAndFail(f, "A");
    expect(f.status("A")).toBe("DISABLED");
  });

  test("disable_persist: DISABLED -> FAILED with history cleared, then PENDING after retry_delay", () => {
    f = fixture({ retryCount: 1, disablePersist: 500, retryDelay: 60 });
    runAndFail(f, "A");
    expect(f.status("A")).toBe("DISABLED");
    f.clock.advance(500);
    f.s.prune();
    expect(f.status("A")).toBe("DISABLED"); // strictly longer than disable_persist
    f.clock.advance(1);
    f.s.prune();
    expect(f.status("A")).toBe("FAILED");
    const rec = f.s.inspectStep("A");
    expect([rec?.failures ?? [], rec?.firstFailureTime, rec?.schedulerDisableTime]).toEqual([[], null, null]);
    f.clock.advance(61);
    f.s.prune();
    expect(f.status("A")).toBe("PENDING");
  });

  test("re_enable_task only lifts scheduler disables", () => {
    f = fixture({ retryCount: 1 });
    runAndFail(f, "A");
    f.add("B", { status: "DISABLED" });
    expect(f.s.reEnableTask({ task_id: "B" })).toEqual({});
    expect(f.s.reEnableTask({ task_id: "nope" })).toEqual({});
    const node = f.s.reEnableTask({ task_id: "A" });
    expect(node).toMatchObject({ status: "FAILED", deps: [], display_name: "A()" });
    expect(f.s.inspectStep("A")?.failures ?? []).toEqual([]);
    expect(f.status("B")).toBe("DISABLED");
  });

  test("a worker cannot override a scheduler disable except by DONE; mark_as_done works too", () => {
    f = fixture({ retryCount: 1 });
    runAndFail(f, "A");
    f.add("A");
    expect(f.status("A")).toBe("DISABLED");
    expect(f.s.markAsDone({ task_id: "A" })).toEqual({ task_id: "A", status: "DONE" });
    expect(f.s.inspectStep("A")?.schedulerDisableTime).toBeNull();
  });

  test("a running step that exceeds the policy is disabled by its FAILED report", () => {
    f = fixture({ retryCount: 1 });
    f.add("A", { resources: { r: 1 } });
    f.add("B", { resources: { r: 1 } });
    expect(f.next()).toBe("A");
    f.fail("A");
    expect(f.status("A")).toBe("DISABLED");
    expect(f.next()).toBe("B"); // A released its resources
  });
});
