/**
 * Fleet help (src/scheduler/fleet-help.ts): a worker that check_claims tells "walked" leaves that part of
 * the graph to its walker and is handed the walker's READY steps of its families instead. On the
 * injected clock; a journal replay of the same calls hands out the same steps (durable.test.ts style).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { consistent, FakeClock, fixture, type Fixture } from "./helpers.js";

let f: Fixture | undefined;
afterEach(() => {
  if (f) consistent(f.s);
  f = undefined;
});

/** W1 registered Root (walked by it) needing A and B, both READY, of families A and B. */
function walked(): Fixture {
  const fx = fixture({ workerDisconnectDelay: 60 });
  fx.add("Root_1", { deps: ["A_1", "B_1"] });
  fx.add("A_1");
  fx.add("B_1");
  return fx;
}

const help = (families: string[], workers = ["W1"]) => ({ help: { workers, families } });

describe("check_claims for a helper", () => {
  test('answers "walked" and names the walkers for steps another live worker registered', () => {
    f = walked();
    const asked = f.s.checkClaims({ worker: "W2", task_ids: ["Root_1", "A_1", "C_1"], help: true });
    expect(asked).toEqual({ verdicts: ["walked", "walked", "yours"], walkers: ["W1"] });
    // Without `help` (a worker of an earlier version), the same steps are "pending", as before.
    const plain = f.s.checkClaims({ worker: "W3", task_ids: ["Root_1"] });
    expect(plain).toEqual({ verdicts: ["pending"] });
  });

  test("a walker gone past worker_disconnect_delay walks nothing: its steps are checked again", () => {
    f = walked();
    f.clock.advance(61);
    expect(f.s.checkClaims({ worker: "W2", task_ids: ["A_1"], help: true })).toEqual({ verdicts: ["yours"] });
  });
});

describe("get_work with help", () => {
  test("hands a helper the walker's READY steps of its families, making it their worker and stakeholder", () => {
    f = walked();
    const reply = f.work("W2", help(["A", "Root"]));
    expect(reply.task_id).toBe("A_1");
    expect(reply.task_family).toBe("A");
    expect(f.s.inspectStep("A_1")?.workers).toEqual(["W1", "W2"]);
    expect(f.s.inspectStep("A_1")?.stakeholders).toContain("W2");
    // B is not of its families: it stays W1's; the helper is told the walker still walks (no get_work yet)
    // and runs one of its steps.
    const next = f.work("W2", help(["A", "Root"]));
    expect(next.task_id).toBeNull();
    expect(next.n_helped_walking).toBe(1);
    expect(next.n_helped_running).toBe(0);
    expect(f.next("W1")).toBe("B_1");
    const after = f.work("W2", help(["A", "Root"]));
    expect(after.n_helped_walking).toBe(0);
    expect(after.n_helped_running).toBe(0);
    // A counts for the helper now (it runs it), B does for the walker.
    expect(f.s.countPending({ worker: "W2" }).running_tasks.map((r) => r.task_id)).toEqual(["A_1"]);
    f.done("A_1", "W2");
    f.done("B_1", "W1");
    // Root became READY for W1; the helper of family Root takes it.
    expect(f.work("W2", help(["Root"])).task_id).toBe("Root_1");
  });

  test("without help, or helping a worker that is gone, a worker gets only its own steps", () => {
    f = walked();
    expect(f.next("W2")).toBeNull();
    f.clock.advance(61);
    expect(f.work("W2", help(["A", "B", "Root"])).task_id).toBeNull();
    expect(f.work("W2", help(["A", "B", "Root"])).n_helped_walking).toBeUndefined();
  });

  test("the best-ranked step among its own and the helped queues comes first", () => {
    f = walked();
    f.add("C_1", { worker: "W2", priority: 5 });
    f.add("D_1", { priority: 10 });
    const order = [1, 2, 3, 4].map(() => f?.work("W2", help(["A", "B", "C", "D"])).task_id);
    expect(order).toEqual(["D_1", "C_1", "A_1", "B_1"]);
  });

  test("get_works lists running_tasks only in an answer that hands out nothing", () => {
    f = walked();
    expect(f.next("W1")).toBe("A_1");
    const busy = f.s.getWorks({ worker: "W2", max_tasks: 1, ...help(["B"]) });
    expect(busy.replies.map((r) => r.task_id)).toEqual(["B_1"]);
    expect(busy.replies[0]?.running_tasks).toEqual([]);
    const idle = f.s.getWorks({ worker: "W3", max_tasks: 1, ...help(["A", "B"]) });
    expect(idle.replies.map((r) => r.task_id)).toEqual([null]);
    expect(idle.replies[0]?.n_helped_running).toBe(2);
  });
});

describe("fleet help across a restart", () => {
  test("a journal replay hands out what the helper was given (the choice depends on the call alone)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-help-"));
    const statePath = path.join(dir, "state.json");
    const clock = new FakeClock();
    try {
      const first = DurableScheduler.open({ statePath, clock: clock.now });
      await first.api.addTask({ worker: "W1", task_id: "A_1", family: "A" });
      await first.api.addTask({ worker: "W1", task_id: "A_2", family: "A" });
      const given = await first.api.getWork({ worker: "W2", help: { workers: ["W1"], families: ["A"] } });
      expect(given.task_id).toBe("A_1");
      const before = first.core.exportState();
      first.abandon();
      const again = DurableScheduler.open({ statePath, clock: clock.now });
      expect(again.core.exportState()).toEqual(before);
      const rec = again.core.inspectStep("A_1");
      expect(rec?.status).toBe("RUNNING");
      expect(rec?.workerRunning).toBe("W2");
      expect(rec?.workers).toEqual(["W1", "W2"]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
