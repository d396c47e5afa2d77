// The scheduler's captured step logs (add_step_logs, step_log): the latest attempt of each step, closed
// when its run ends, bounded per step and in all, dropped with the step, kept in the snapshot.
import { describe, expect, it } from "vitest";
import { BoundedLog } from "../../src/log/step-log.js";
import type { StepLogChunk } from "../../src/scheduler/api.js";
import type { FinishedStepLog } from "../../src/scheduler/core.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { consistent, fixture } from "./helpers.js";

const piece = (
  task_id: string,
  attempt: number,
  offset: number,
  text: string,
  final = false,
): StepLogChunk => ({
  task_id,
  attempt,
  offset,
  text,
  final,
});

function logged(init: Parameters<typeof fixture>[0] = {}) {
  const finished: FinishedStepLog[] = [];
  const f = fixture({ ...init, hooks: { stepLog: (log) => finished.push(log) } });
  return {
    s: f.s,
    clock: f.clock,
    finished,
    add: (id: string, extra?: Parameters<typeof f.add>[1]) => f.add(id, extra),
    next: () => f.next(),
    done: (id: string) => f.done(id),
  };
}

describe("step logs in the scheduler", () => {
  it("keeps what the runner sends, in order, and says when it is complete", () => {
    const { s, add, next, done, finished } = logged();
    add("A_1");
    expect(next()).toBe("A_1");
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 0, "one\n")] });
    expect(s.stepLog({ task_id: "A_1" })).toMatchObject({
      text: "one\n",
      running: true,
      attempt: 1,
      bytes: 4,
    });
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 4, "two\n", true)] });
    // A resend (a replayed journal entry) changes nothing.
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 4, "two\n", true)] });
    done("A_1");
    expect(s.stepLog({ task_id: "A_1" })).toMatchObject({
      text: "one\ntwo\n",
      running: false,
      incomplete: false,
      cut: 0,
    });
    expect(finished.map((l) => [l.stepId, l.text, l.incomplete])).toEqual([["A_1", "one\ntwo\n", false]]);
    consistent(s);
  });

  it("takes a new attempt only from the step's runner, and cuts the open one short", () => {
    const { s, add, next, finished, clock } = logged({ retryDelay: 0 });
    add("A_1");
    next();
    // Not the runner: ignored.
    s.addStepLogs({ worker: "W2", logs: [piece("A_1", 1, 0, "intruder\n")] });
    expect(s.stepLog({ task_id: "A_1" })).toBeNull();
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 0, "first run\n")] });
    // The worker failed without sending its last piece; the step runs again.
    add("A_1", { status: "FAILED", runnable: null, deps: null });
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ text: "first run\n", incomplete: true, attempt: 1 });
    clock.advance(1);
    s.prune();
    expect(next()).toBe("A_1");
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 2, 0, "second run\n", true)] });
    // A late piece of the first run changes nothing.
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 10, "late\n")] });
    expect(s.stepLog({ task_id: "A_1" })).toMatchObject({ text: "second run\n", attempt: 2, running: false });
    expect(finished.map((l) => l.attempt)).toEqual([1, 2]);
    consistent(s);
  });

  it("closes the log of a run whose worker went away, and drops it with the step", () => {
    const { s, add, next, clock, finished } = logged({ workerDisconnectDelay: 10, removeDelay: 5 });
    add("A_1");
    next();
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 0, "before the kill\n")] });
    clock.advance(11);
    s.prune();
    expect(s.inspectStep("A_1")?.status).toBe("FAILED");
    expect(s.stepLog({ task_id: "A_1" })).toMatchObject({
      text: "before the kill\n",
      incomplete: true,
      running: false,
    });
    expect(finished).toHaveLength(1);
    clock.advance(6);
    s.prune();
    s.prune();
    expect(s.inspectStep("A_1")).toBeUndefined();
    expect(s.stepLog({ task_id: "A_1" })).toBeNull();
    consistent(s);
  });

  it("bounds each log (head, tail, cut) and all of them (the least recently written go)", () => {
    const { s, add, next } = logged({ stepLogBytes: 1024, stepLogMemory: 3100 });
    for (const id of ["A_1", "A_2", "A_3", "A_4"]) {
      add(id);
      expect(next()).toBe(id);
      let text = "";
      for (let i = 0; i < 400; i++) text += `${id} line ${i}\n`;
      s.addStepLogs({ worker: "W1", logs: [piece(id, 1, 0, text, true)] });
      const log = s.stepLog({ task_id: id });
      expect(log?.text).toMatch(
        new RegExp(`^${id} line 0\\n[\\s\\S]*\\[… \\d+ bytes cut …\\]\\n[\\s\\S]*${id} line 399\\n$`),
      );
      expect(log?.bytes).toBe(Buffer.byteLength(text));
    }
    // Three logs of at most 1024 bytes fit in 3100: the first written went.
    expect(s.stepLog({ task_id: "A_1" })).toBeNull();
    for (const id of ["A_2", "A_3", "A_4"]) expect(s.stepLog({ task_id: id })).not.toBeNull();
  });

  it("bounds a log as its worker does when the worker's bound is the smaller: both show the same text", () => {
    const { s, add, next } = logged({ stepLogBytes: 8192 });
    add("A_1");
    expect(next()).toBe("A_1");
    // The worker keeps 1024 bytes and ships what it holds now and then: contiguous pieces, some of
    // which it lets go of later.
    const worker = new BoundedLog(1024);
    let shipped = 0;
    const ship = (final: boolean): void => {
      const logs = worker.since(shipped).map((p, i, all) => ({
        ...piece("A_1", 1, p.offset, p.text, final && i === all.length - 1),
        ...(p.offset === 0 ? { limit: worker.limit } : {}),
      }));
      s.addStepLogs({ worker: "W1", logs });
      shipped = worker.total;
    };
    for (let i = 0; i < 300; i++) {
      worker.append(`line ${String(i).padStart(3, "0")}\n`);
      if (i % 40 === 39) ship(false);
    }
    ship(true);
    const held = s.stepLog({ task_id: "A_1" });
    expect(held?.text).toBe(worker.render().text);
    expect(held?.cut).toBe(worker.render().cut);
    expect(Buffer.byteLength(held?.text ?? "")).toBeLessThan(1024 + 40);
  });

  it("keeps the logs in its snapshot, and loads a snapshot that has none", () => {
    const { s, add, next, clock } = logged();
    add("A_1");
    next();
    s.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 0, "kept\n")] });
    const snapshot = JSON.parse(JSON.stringify(s.exportState())) as ReturnType<Scheduler["exportState"]>;
    const back = Scheduler.importState(snapshot, { clock: clock.now });
    expect(back.stepLog({ task_id: "A_1" })).toEqual(s.stepLog({ task_id: "A_1" }));
    back.addStepLogs({ worker: "W1", logs: [piece("A_1", 1, 5, "more\n", true)] });
    expect(back.stepLog({ task_id: "A_1" })?.text).toBe("kept\nmore\n");
    const { stepLogs: _logs, ...older } = snapshot;
    const old = Scheduler.importState(older, { clock: clock.now });
    expect(old.stepLog({ task_id: "A_1" })).toBeNull();
    expect(old.inspectStep("A_1")?.status).toBe("RUNNING");
    consistent(back);
  });
});
