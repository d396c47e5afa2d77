/**
 * The step history names who marked a step done, forgave or re-enabled it (column step_events.actor,
 * migration 0003), on every database: the scheduler's real core records the change, the recorder takes
 * the caller from the actor context luigid's server runs the call in, the writer stores it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsActor } from "../../src/history/actor.js";
import { StepHistory } from "../../src/history/service.js";
import { silentLogger } from "../../src/log/logger.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { BACKENDS } from "../history/backends.js";
import { FakeClock } from "../scheduler/helpers.js";

const ALICE = { user: "alice", role: "operator", address: "10.0.0.7" };

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`who changed a step, in the history on ${backend.name}`, () => {
    let history: StepHistory;
    let drop: () => Promise<void> = async () => undefined;

    beforeAll(async () => {
      const db = await backend.create();
      drop = db.drop;
      history = new StepHistory({
        url: db.url,
        logger: silentLogger(),
        writer: { flushInterval: 20, retryInitial: 20, retryMax: 100, closeTimeout: 2_000 },
      });
      await history.open();
      history.start();
    });
    afterAll(async () => {
      await history?.close();
      await drop();
    });

    const eventsOf = async (stepId: string) => {
      const run = (await history.queries.byStepId(stepId, { page: 1, limit: 1 })).runs[0];
      return run ? ((await history.queries.run(run.id))?.events ?? []) : [];
    };

    it("stores the actor of mark as done, forgive and re-enable, and nobody for workers and the scheduler", async () => {
      const clock = new FakeClock();
      const s = new Scheduler({ clock: clock.now, hooks: history.recorder.hooks() });
      const fail = (id: string, extra: Record<string, unknown> = {}) => {
        s.addTask({ worker: "W1", task_id: id, family: "Step", ...extra });
        s.addTask({ worker: "W1", task_id: id, family: "Step", status: "FAILED", expl: '"boom"' });
      };
      fail("Step_done");
      fail("Step_forgiven");
      fail("Step_disabled", { retry_policy_dict: { retry_count: 1 } });
      // The actor context, as luigid's server enters it for an operator's call; it survives awaits.
      await runAsActor(ALICE, async () => {
        await Promise.resolve();
        s.markAsDone({ task_id: "Step_done" });
        s.forgiveFailures({ task_id: "Step_forgiven" });
      });
      await runAsActor({ user: null, role: null, address: "127.0.0.1" }, async () =>
        s.reEnableTask({ task_id: "Step_disabled" }),
      );
      // Outside any actor context (as a call that is not an operator's): nobody.
      fail("Step_outside");
      s.markAsDone({ task_id: "Step_outside" });
      await history.writer.flush();

      const done = await eventsOf("Step_done");
      expect(done.map((e) => [e.event, e.message, e.actor])).toEqual([
        ["PENDING", null, null],
        ["FAILED", "boom", null],
        ["DONE", "marked-done", "alice (operator) from 10.0.0.7"],
      ]);
      const forgiven = await eventsOf("Step_forgiven");
      expect(forgiven.find((e) => e.message === "forgiven")?.actor).toBe("alice (operator) from 10.0.0.7");
      expect((await eventsOf("Step_outside")).at(-1)).toMatchObject({
        event: "DONE",
        message: "marked-done",
        actor: null,
      });
      const reEnabled = await eventsOf("Step_disabled");
      // The re-enable makes the step FAILED again (its note is the failure's text).
      expect(reEnabled.at(-1)).toMatchObject({ event: "FAILED", actor: "from 127.0.0.1" });
      expect(reEnabled.find((e) => e.event === "DISABLED")?.actor).toBeNull();
    });

    it("cuts an actor to its column (255 characters), as names are", async () => {
      const clock = new FakeClock();
      const s = new Scheduler({ clock: clock.now, hooks: history.recorder.hooks() });
      s.addTask({ worker: "W1", task_id: "Long_1", family: "Long" });
      s.addTask({ worker: "W1", task_id: "Long_1", family: "Long", status: "FAILED" });
      runAsActor({ user: "u".repeat(300), role: "admin", address: "::1" }, () =>
        s.markAsDone({ task_id: "Long_1" }),
      );
      await history.writer.flush();
      const actor = (await eventsOf("Long_1")).at(-1)?.actor ?? "";
      expect(actor).toHaveLength(255);
      expect(actor.startsWith("uuu")).toBe(true);
    });
  });
}
