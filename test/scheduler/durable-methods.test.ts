/**
 * What the daemon's journal records of each SchedulerApi member, against the method table's flags: a
 * mutating call with its arguments, a pruning listing as a prune, nothing for the rest.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEDULER_METHODS } from "../../src/scheduler/methods.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { callSample, SAMPLE_CALLS, SAMPLE_ORDER, W } from "../helpers/scheduler-calls.js";
import { FakeClock } from "./helpers.js";

function statePath(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "luigi-ts-durable-methods-")), "state.json");
}

function journalOf(file: string): { m: string; a: unknown }[] {
  return readFileSync(`${file}.journal`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { m: string; a: unknown });
}

describe("the method table's flags", () => {
  it("task_list prunes even when its listing is over max_shown_tasks (the journal records a prune either way)", async () => {
    const clock = new FakeClock();
    const core = new Scheduler({ clock: clock.now, maxShownTasks: 1 });
    const api = new LocalScheduler({ scheduler: core });
    await api.addTask({ worker: W, task_id: "A", family: "A" });
    await api.addTask({ worker: W, task_id: "B", family: "B" });
    clock.advance(core.options.workerDisconnectDelay + 1);
    const before = core.exportState();
    expect(await api.taskList({})).toEqual({ num_tasks: 2 });
    expect(core.exportState()).not.toEqual(before);
  });

  it("say which read-only calls prune: those, and only those, change the state when a prune is due", async () => {
    for (const member of SAMPLE_ORDER) {
      const info: { mutating: boolean; prunes?: true } = SCHEDULER_METHODS[member];
      if (info.mutating) continue;
      const clock = new FakeClock();
      const core = new Scheduler({ clock: clock.now });
      const api = new LocalScheduler({ scheduler: core });
      await api.addTask({ worker: W, task_id: "A", family: "A" });
      await api.addTask({ worker: W, task_id: "B", family: "B", deps: ["A"] });
      // The worker has been silent past worker_disconnect_delay: the next prune removes it.
      clock.advance(core.options.workerDisconnectDelay + 1);
      const before = core.exportState();
      await callSample(api, member);
      const changed = JSON.stringify(core.exportState()) !== JSON.stringify(before);
      expect(changed, member).toBe(info.prunes === true);
    }
  });
});

describe("the journal follows the method table", () => {
  it("journals each mutating call with its arguments, each pruning listing as a prune, nothing else", async () => {
    const file = statePath();
    const clock = new FakeClock();
    const durable = DurableScheduler.open({ statePath: file, clock: clock.now });
    const delay = durable.core.options.workerDisconnectDelay;
    let n = 0;
    /** A worker that expires at the next prune (W stays: its ping re-arms it). */
    const makePruneDue = async (): Promise<void> => {
      await durable.api.addWorker({ worker: `Other-${n++}`, info: {} });
      clock.advance(delay + 1);
      await durable.api.ping({ worker: W });
    };
    try {
      for (const member of SAMPLE_ORDER) {
        const info: { mutating: boolean; prunes?: true } = SCHEDULER_METHODS[member];
        const pruning = info.prunes === true || member === "prune";
        if (pruning) await makePruneDue();
        const before = journalOf(file).length;
        await callSample(durable.api, member);
        const added = journalOf(file).slice(before);
        if (info.mutating) {
          expect(added, member).toEqual([{ ...added[0], m: member, a: SAMPLE_CALLS[member] ?? {} }]);
        } else if (info.prunes) {
          expect(added, member).toEqual([{ ...added[0], m: "prune", a: {} }]);
        } else {
          expect(added, member).toEqual([]);
        }
        if (!pruning) continue;
        // Again at once: nothing is due, so nothing is journaled (an idle luigid prunes every second).
        const again = journalOf(file).length;
        await callSample(durable.api, member);
        expect(journalOf(file).slice(again), `${member} with nothing due`).toEqual([]);
      }
      expect(new Set(SAMPLE_ORDER)).toEqual(new Set(Object.keys(SCHEDULER_METHODS)));
    } finally {
      durable.close();
    }
  });

  it("a prune that was not journaled changed nothing: the replay rebuilds the same state", async () => {
    const file = statePath();
    const clock = new FakeClock();
    const first = DurableScheduler.open({ statePath: file, clock: clock.now });
    await first.api.addTask({ worker: W, task_id: "A", family: "A", status: "FAILED" });
    await first.api.addTask({ worker: W, task_id: "B", family: "B", deps: ["A"] });
    // Prunes every second for well past every deadline (worker, retry, removal), W silent.
    for (let i = 0; i < 1_200; i++) {
      clock.advance(1);
      await first.api.prune();
    }
    const lines = journalOf(file).filter((e) => e.m === "prune").length;
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThan(20);
    const state = first.core.exportState();
    first.abandon();
    const second = DurableScheduler.open({ statePath: file, clock: clock.now });
    expect(second.core.exportState()).toEqual(state);
    second.close();
  });

  it("replays a prune done by the visualiser's step_page and step_graph after a crash", async () => {
    for (const listing of ["stepPage", "stepGraph"] as const) {
      const file = statePath();
      // A worker silent for longer than this is pruned by the next listing.
      const options = { workerDisconnectDelay: 0.01 };
      const first = DurableScheduler.open({ statePath: file, options });
      await first.api.addTask({ worker: W, task_id: "A", family: "A" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await first.api[listing]({ task_id: "A" });
      const pruned = first.core.exportState();
      expect(pruned.workers, listing).toEqual([]);
      first.abandon();
      const second = DurableScheduler.open({ statePath: file, options });
      try {
        expect(second.core.exportState(), listing).toEqual(pruned);
      } finally {
        second.close();
      }
    }
  });
});
