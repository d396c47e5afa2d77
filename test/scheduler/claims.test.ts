/** check_claims: who checks a step's completeness in a fleet (src/scheduler/claims.ts), on the injected clock. */
import { afterEach, describe, expect, test } from "vitest";
import { CLAIM_SECONDS } from "../../src/scheduler/claims.js";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

const ask = (worker: string, ...ids: string[]): string[] =>
  f.s.checkClaims({ worker, task_ids: ids }).verdicts;

describe("completeness claims (check_claims)", () => {
  test("the first asker checks; another is told it is claimed until the claim expires", () => {
    f = fixture();
    expect(ask("W1", "A", "B")).toEqual(["yours", "yours"]);
    expect(ask("W2", "A", "B", "C")).toEqual(["claimed", "claimed", "yours"]);
    // The holder asking again keeps it, and renews it.
    f.clock.advance(10);
    expect(ask("W1", "A")).toEqual(["yours"]);
    f.clock.advance(CLAIM_SECONDS - 9);
    // B's claim (taken at T0) expired: W1 never registered it (a worker that died mid-check, say).
    expect(ask("W2", "B")).toEqual(["yours"]);
    expect(ask("W2", "A")).toEqual(["claimed"]);
    f.clock.advance(10);
    expect(ask("W2", "A")).toEqual(["yours"]);
    expect(ask("W1", "A")).toEqual(["claimed"]);
  });

  test("the holder's registration releases its claim, and its verdict is what the others get", () => {
    f = fixture();
    expect(ask("W1", "A", "B")).toEqual(["yours", "yours"]);
    f.s.addTasks({
      worker: "W1",
      tasks: [
        { task_id: "A", status: "DONE", family: "A" },
        { task_id: "B", status: "PENDING", family: "B", deps: [] },
      ],
    });
    expect(f.s.claimCount).toBe(0);
    // A is held DONE: trusted complete. B is PENDING with W1, alive, as stakeholder: trusted incomplete.
    expect(ask("W2", "A", "B")).toEqual(["done", "pending"]);
    // To W1 itself its own PENDING registration is no verdict: it checks again.
    expect(ask("W1", "B")).toEqual(["yours"]);
  });

  test("a claim whose holder went silent past worker_disconnect_delay holds nothing", () => {
    f = fixture({ workerDisconnectDelay: 5 });
    f.s.ping({ worker: "W1" });
    expect(ask("W1", "A")).toEqual(["yours"]);
    f.clock.advance(4);
    expect(ask("W2", "A")).toEqual(["claimed"]);
    f.clock.advance(2);
    // W1 was killed while it checked A: W2 need not wait the claim's 30 s.
    expect(ask("W2", "A")).toEqual(["yours"]);
    expect(ask("W3", "A")).toEqual(["claimed"]);
  });

  test("a claim whose holder was pruned as gone holds nothing either, not the claim's 30 s", () => {
    f = fixture({ workerDisconnectDelay: 5 });
    f.s.ping({ worker: "W1" });
    expect(ask("W1", "A")).toEqual(["yours"]);
    f.clock.advance(6);
    // A prune (any listing runs one) removes W1, silent past worker_disconnect_delay.
    f.s.graph();
    expect(f.s.workerList().map((w) => w.name)).not.toContain("W1");
    expect(ask("W2", "A")).toEqual(["yours"]);
  });

  test("a holder luigid has no record of yet holds its claim for worker_disconnect_delay", () => {
    f = fixture({ workerDisconnectDelay: 5 });
    // W1's first call is check_claims (no record of W1 yet).
    expect(ask("W1", "A")).toEqual(["yours"]);
    f.clock.advance(4);
    expect(ask("W2", "A")).toEqual(["claimed"]);
    f.clock.advance(2);
    expect(ask("W2", "A")).toEqual(["yours"]);
  });

  test("another worker's registration does not release a claim", () => {
    f = fixture();
    expect(ask("W1", "A")).toEqual(["yours"]);
    f.add("A", { worker: "W3", status: "FAILED" });
    expect(ask("W2", "A")).toEqual(["claimed"]);
  });

  test("a PENDING step whose only stakeholders are gone is checked again; a RUNNING one is trusted", () => {
    f = fixture({ workerDisconnectDelay: 60 });
    f.add("A", { worker: "W1" });
    f.add("B", { worker: "W1" });
    expect(f.next("W1")).toBe("A");
    f.clock.advance(61);
    // W1 silent past worker_disconnect_delay (not yet pruned): B's PENDING is stale, A still RUNNING.
    expect(ask("W2", "A", "B")).toEqual(["pending", "yours"]);
  });

  test("FAILED, DISABLED and unknown steps are checked", () => {
    f = fixture();
    f.add("F", { worker: "W1" });
    f.add("D", { worker: "W1", status: "DISABLED" });
    expect(f.next("W1")).toBe("F");
    f.fail("F");
    expect(ask("W2", "F", "D", "X")).toEqual(["yours", "yours", "yours"]);
  });

  test("peek answers without taking a claim", () => {
    f = fixture();
    f.add("A", { worker: "W1", status: "DONE" });
    expect(f.s.checkClaims({ worker: "W2", task_ids: ["A", "B"], peek: true }).verdicts).toEqual([
      "done",
      "yours",
    ]);
    expect(f.s.claimCount).toBe(0);
    expect(ask("W3", "B")).toEqual(["yours"]);
  });

  test("claims are soft: not in the exported state, and a check changes no record", () => {
    f = fixture();
    f.add("A", { worker: "W1" });
    const before = JSON.stringify(f.s.exportState());
    ask("W2", "A", "B");
    expect(JSON.stringify(f.s.exportState())).toBe(before);
  });

  test("claim_seconds is the scheduler's setting", () => {
    f = fixture({ claimSeconds: 5 });
    ask("W1", "A");
    f.clock.advance(5);
    expect(ask("W2", "A")).toEqual(["yours"]);
  });
});
