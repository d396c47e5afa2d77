/**
 * Triggered runs in the pure core (src/scheduler/triggers.ts) with the hand-driven clock: the queue,
 * hand-outs only to assistants that announced the family, reports, what an assistant's departure does,
 * the listing, the bounds, and the state surviving a snapshot, a packed snapshot and a journal replay.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { SchedulerError } from "../../src/errors.js";
import type { FamilySpec, TriggerInfo } from "../../src/scheduler/api.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { pack, unpack } from "../../src/scheduler/persistence/pack.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { MAX_ENDED_TRIGGERS, MAX_OPEN_TRIGGERS } from "../../src/scheduler/trigger-queue.js";
import { consistent, fixture, T0, type Fixture } from "./helpers.js";

const REPORT: FamilySpec = {
  name: "Report",
  module: "pipeline.ts",
  params: [
    {
      name: "day",
      kind: "date",
      expected: "YYYY-MM-DD",
      default: null,
      has_default: false,
      description: "the day to report",
      choices: null,
      optional: false,
      significant: true,
    },
    {
      name: "region",
      kind: "choice",
      expected: "one of eu, us",
      default: "eu",
      has_default: true,
      description: null,
      choices: ["eu", "us"],
      optional: false,
      significant: true,
    },
  ],
};
const CLEAN: FamilySpec = { name: "Clean", module: null, params: [] };

/** An assistant as luigi-ts announces itself: assistant, with the families it can run. */
function assistant(f: Fixture, worker: string, families: FamilySpec[]): void {
  f.s.addWorker({ worker, info: { host: "h", assistant: true, step_families: families } });
}

function taken(f: Fixture, worker: string): number | null {
  return f.s.takeTrigger({ worker }).trigger?.trigger_id ?? null;
}

function trigger(f: Fixture, id: number): TriggerInfo {
  const found = f.s.triggerList({ trigger_id: id }).triggers[0];
  if (!found) throw new Error(`no trigger ${id}`);
  return found;
}

function refusal(run: () => unknown): { code: string; message: string; field: unknown } {
  try {
    run();
  } catch (err) {
    if (err instanceof SchedulerError)
      return { code: err.code, message: err.message, field: err.details.field };
    throw err;
  }
  throw new Error("not refused");
}

describe("trigger_step and take_trigger", () => {
  test("a trigger waits, queued, until an assistant that announced its family asks", () => {
    const f = fixture();
    const info = f.s.triggerStep({ family: "Report", params: { day: "2026-01-02" }, requested_by: "ana" });
    expect(info).toMatchObject({
      trigger_id: 1,
      family: "Report",
      params: { day: "2026-01-02" },
      requested_by: "ana",
      requested_at: T0,
      status: "queued",
      worker: null,
      task_id: null,
      root_status: null,
      assistants: 0,
    });
    // Not an assistant, though it announced the family.
    f.s.addWorker({ worker: "Plain", info: { step_families: [REPORT] } });
    expect(taken(f, "Plain")).toBeNull();
    // Luigi's Python assistant: an assistant that announced nothing.
    f.s.getWork({ worker: "Py", assistant: true });
    expect(taken(f, "Py")).toBeNull();
    // An assistant for other families.
    assistant(f, "Cleaner", [CLEAN]);
    expect(taken(f, "Cleaner")).toBeNull();
    expect(trigger(f, 1)).toMatchObject({ status: "queued", assistants: 0 });

    assistant(f, "A1", [REPORT, CLEAN]);
    expect(trigger(f, 1).assistants).toBe(1);
    f.clock.advance(2);
    expect(f.s.takeTrigger({ worker: "A1" })).toEqual({
      trigger: { trigger_id: 1, family: "Report", params: { day: "2026-01-02" } },
    });
    expect(trigger(f, 1)).toMatchObject({ status: "taken", worker: "A1", taken_at: T0 + 2 });
    // Handed out once.
    expect(taken(f, "A1")).toBeNull();
    consistent(f.s);
  });

  test("hands out the oldest queued trigger the assistant can run, skipping the others", () => {
    const f = fixture();
    f.s.triggerStep({ family: "Nobody" });
    f.s.triggerStep({ family: "Report", params: { day: "2026-01-01" } });
    f.s.triggerStep({ family: "Clean" });
    f.s.triggerStep({ family: "Report", params: { day: "2026-01-02" } });
    assistant(f, "A1", [REPORT]);
    assistant(f, "A2", [CLEAN, REPORT]);
    expect(taken(f, "A1")).toBe(2);
    expect(taken(f, "A2")).toBe(3);
    expect(taken(f, "A2")).toBe(4);
    expect(taken(f, "A1")).toBeNull();
    // No assistant can load Nobody: it stays queued, and the listing says nobody can.
    expect(trigger(f, 1)).toMatchObject({ status: "queued", assistants: 0 });
  });

  test("a disabled assistant is handed no trigger and its families are not offered", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    f.s.triggerStep({ family: "Report" });
    f.s.disableWorker({ worker: "A1" });
    expect(taken(f, "A1")).toBeNull();
    expect(f.s.triggerList().families).toEqual([]);
  });

  test("checks the shape only, refusing bad input with BAD_REQUEST naming the field", () => {
    const f = fixture();
    expect(refusal(() => f.s.triggerStep({ family: " " }))).toMatchObject({
      code: "BAD_REQUEST",
      field: "family",
    });
    const notText = refusal(() =>
      f.s.triggerStep({ family: "Report", params: { day: 3 as unknown as string } }),
    );
    expect(notText).toMatchObject({ code: "BAD_REQUEST", field: "params" });
    expect(notText.message).toContain('parameter "day" must be text');
    expect(
      refusal(() => f.s.triggerStep({ family: "Report", params: { text: "x".repeat(70_000) } })),
    ).toMatchObject({ field: "params" });
    // Parameters the family may not have are the assistant's to judge.
    expect(f.s.triggerStep({ family: "Report", params: { nonsense: "1" } }).status).toBe("queued");
    expect(f.s.triggerList().triggers).toHaveLength(1);
  });

  test("holds at most MAX_OPEN_TRIGGERS triggers not ended", () => {
    const f = fixture();
    for (let i = 0; i < MAX_OPEN_TRIGGERS; i++) f.s.triggerStep({ family: "Report" });
    const full = refusal(() => f.s.triggerStep({ family: "Report" }));
    expect(full.code).toBe("BAD_REQUEST");
    expect(full.message).toContain(`${MAX_OPEN_TRIGGERS} triggered runs are not finished yet`);
    // One that ends makes room.
    assistant(f, "A1", [REPORT]);
    expect(taken(f, "A1")).toBe(1);
    f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "refused", message: "bad day" });
    expect(f.s.triggerStep({ family: "Report" }).trigger_id).toBe(MAX_OPEN_TRIGGERS + 1);
    expect(f.s.triggerList({ limit: 0 }).open).toBe(MAX_OPEN_TRIGGERS);
  });
});

describe("report_trigger", () => {
  test("running with the root's id, then done: the listing shows the root's status now", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    f.s.triggerStep({ family: "Report", params: { day: "2026-01-02" } });
    expect(taken(f, "A1")).toBe(1);
    expect(
      f.s.reportTrigger({
        worker: "A1",
        trigger_id: 1,
        status: "running",
        task_id: "Report_2026_01_02_abc",
        run_worker: "Run1",
      }),
    ).toEqual({ accepted: true });
    expect(trigger(f, 1)).toMatchObject({
      status: "running",
      task_id: "Report_2026_01_02_abc",
      root_status: null,
    });
    // The run's own worker registers the root and its requirement.
    f.add("Report_2026_01_02_abc", { worker: "Run1", family: "Report", deps: ["Extract_1"] });
    f.add("Extract_1", { worker: "Run1", family: "Extract" });
    expect(trigger(f, 1).root_status).toBe("PENDING");
    f.add("Extract_1", { worker: "Run1", status: "FAILED", runnable: null });
    expect(trigger(f, 1).root_status).toBe("UPSTREAM_FAILED");
    f.add("Extract_1", { worker: "Run1", status: "DONE" });
    f.add("Report_2026_01_02_abc", { worker: "Run1", status: "DONE" });
    f.clock.advance(5);
    expect(
      f.s.reportTrigger({
        worker: "A1",
        trigger_id: 1,
        status: "done",
        result: "SUCCESS",
        exit_code: 0,
        message: "===== Luigi Execution Summary =====",
      }),
    ).toEqual({ accepted: true });
    expect(trigger(f, 1)).toMatchObject({
      status: "done",
      root_status: "DONE",
      result: "SUCCESS",
      exit_code: 0,
      finished_at: T0 + 5,
      run_worker: "Run1",
    });
    consistent(f.s);
  });

  test("only the assistant that took it may report, and only in order", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    assistant(f, "A2", [REPORT]);
    f.s.triggerStep({ family: "Report" });
    // Queued: nobody's yet.
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "running", task_id: "R" }).accepted).toBe(
      false,
    );
    expect(taken(f, "A1")).toBe(1);
    expect(f.s.reportTrigger({ worker: "A2", trigger_id: 1, status: "running", task_id: "R" }).accepted).toBe(
      false,
    );
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 99, status: "running" }).accepted).toBe(false);
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "failed", exit_code: 40 }).accepted).toBe(
      true,
    );
    // Ended: no going back.
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "running", task_id: "R" }).accepted).toBe(
      false,
    );
    expect(trigger(f, 1)).toMatchObject({ status: "failed", exit_code: 40, task_id: null });
  });

  test("bad parameters: the assistant refuses it with the message, for the API and the page", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    f.s.triggerStep({ family: "Report", params: { day: "yesterday" } });
    expect(taken(f, "A1")).toBe(1);
    const message = "parameter 'day' of Report: cannot parse \"yesterday\" (expected date: YYYY-MM-DD)";
    f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "refused", message });
    expect(trigger(f, 1)).toMatchObject({ status: "refused", message, task_id: null });
    expect(f.s.triggerList().open).toBe(0);
  });
});

describe("an assistant that goes away", () => {
  test("gives back what it took but had not built; what it was running is lost", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    f.s.triggerStep({ family: "Report", params: { day: "1" } });
    f.s.triggerStep({ family: "Report", params: { day: "2" } });
    expect(taken(f, "A1")).toBe(1);
    expect(taken(f, "A1")).toBe(2);
    f.s.reportTrigger({ worker: "A1", trigger_id: 2, status: "running", task_id: "R2" });
    assistant(f, "A2", [REPORT]);
    // A1 falls silent; A2 keeps asking.
    for (let i = 0; i < 7; i++) {
      f.clock.advance(10);
      expect(taken(f, "A2")).toBeNull();
    }
    f.s.prune();
    expect(trigger(f, 1)).toMatchObject({ status: "queued", worker: null, taken_at: null });
    expect(trigger(f, 2).status).toBe("lost");
    expect(trigger(f, 2).message).toContain("the assistant running it went away");
    expect(taken(f, "A2")).toBe(1);
    // A1 comes back from a network partition and tells how run 2 ended: that says more than "lost".
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 2, status: "done", exit_code: 0 }).accepted).toBe(
      true,
    );
    expect(trigger(f, 2).status).toBe("done");
    // Run 1 is A2's now.
    expect(f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "running" }).accepted).toBe(false);
    consistent(f.s);
  });
});

describe("trigger_list", () => {
  test("offers the families of live assistants, the latest announcement of each, with how many can run it", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT, CLEAN]);
    f.clock.advance(1);
    const newer: FamilySpec = { ...REPORT, module: "v2.ts" };
    assistant(f, "A2", [newer]);
    const { families } = f.s.triggerList();
    expect(families.map((x) => [x.name, x.assistants, x.module])).toEqual([
      ["Clean", 1, null],
      ["Report", 2, "v2.ts"],
    ]);
    expect(families[1]?.params).toEqual(REPORT.params);
    // Silent for longer than worker_disconnect_delay: pruned, and not offered any more.
    f.clock.advance(30);
    f.s.ping({ worker: "A2" });
    f.clock.advance(40);
    expect(f.s.triggerList().families.map((x) => [x.name, x.assistants])).toEqual([["Report", 1]]);
  });

  test("lists newest first, bounded by limit, or one trigger by id; worker_list does not carry the families", () => {
    const f = fixture();
    assistant(f, "A1", [REPORT]);
    for (let i = 1; i <= 5; i++) f.s.triggerStep({ family: "Report", params: { day: String(i) } });
    expect(f.s.triggerList({ limit: 3 }).triggers.map((t) => t.trigger_id)).toEqual([5, 4, 3]);
    expect(f.s.triggerList({ trigger_id: 2 }).triggers.map((t) => t.params)).toEqual([{ day: "2" }]);
    expect(f.s.triggerList({ trigger_id: 42 }).triggers).toEqual([]);
    expect(f.s.triggerList().open).toBe(5);
    const [node] = f.s.workerList();
    expect(node).toMatchObject({ name: "A1", assistant: true });
    expect(node).not.toHaveProperty("step_families");
  });

  test("forgets the oldest ended triggers past MAX_ENDED_TRIGGERS", () => {
    const f = fixture();
    assistant(f, "A1", [CLEAN]);
    const n = MAX_ENDED_TRIGGERS + 5;
    for (let i = 0; i < n; i++) {
      const id = f.s.triggerStep({ family: "Clean" }).trigger_id;
      expect(taken(f, "A1")).toBe(id);
      f.s.reportTrigger({ worker: "A1", trigger_id: id, status: "done", exit_code: 0 });
    }
    const ids = f.s.triggerList({ limit: 1000 }).triggers.map((t) => t.trigger_id);
    expect(ids).toHaveLength(MAX_ENDED_TRIGGERS);
    expect(ids.at(-1)).toBe(6);
    // Ids are never reused.
    expect(f.s.triggerStep({ family: "Clean" }).trigger_id).toBe(n + 1);
  });

  test("keeps what a family announcement holds that is a spec, and drops the rest", () => {
    const f = fixture();
    f.s.addWorker({
      worker: "A1",
      info: {
        assistant: true,
        step_families: [
          "junk",
          { name: "" },
          { name: "Odd", params: [{ name: "n", kind: 3, choices: ["a", 1] }, { kind: "int" }, null] },
        ],
      },
    });
    expect(f.s.triggerList().families).toEqual([
      {
        name: "Odd",
        module: null,
        assistants: 1,
        params: [
          {
            name: "n",
            kind: "str",
            expected: "",
            default: null,
            has_default: false,
            description: null,
            choices: ["a"],
            optional: false,
            significant: true,
          },
        ],
      },
    ]);
    // A later add_worker without the key (new process count) keeps the families.
    f.s.addWorker({ worker: "A1", info: { workers: 3 } });
    expect(f.s.triggerList().families).toHaveLength(1);
  });
});

/** A state with triggers in every status and an assistant with its families. */
function withTriggers(): Fixture {
  const f = fixture();
  assistant(f, "A1", [REPORT, CLEAN]);
  f.s.triggerStep({ family: "Report", params: { day: "1" }, requested_by: "ana from 10.0.0.7" });
  f.s.triggerStep({ family: "Clean" });
  f.s.triggerStep({ family: "Report", params: { day: "3" } });
  f.s.triggerStep({ family: "Nobody" });
  expect(taken(f, "A1")).toBe(1);
  f.s.reportTrigger({ worker: "A1", trigger_id: 1, status: "running", task_id: "R1", run_worker: "Run1" });
  f.add("R1", { worker: "Run1", family: "Report" });
  expect(taken(f, "A1")).toBe(2);
  f.s.reportTrigger({ worker: "A1", trigger_id: 2, status: "done", exit_code: 0, result: "SUCCESS" });
  expect(taken(f, "A1")).toBe(3);
  return f;
}

describe("the triggers survive a restart", () => {
  test("exportState / importState round-trips them (and the families) through JSON", () => {
    const f = withTriggers();
    const snap = f.s.exportState();
    const copy = Scheduler.importState(JSON.parse(JSON.stringify(snap)), { clock: f.clock.now });
    consistent(copy);
    expect(copy.exportState()).toEqual(snap);
    expect(copy.triggerList()).toEqual(f.s.triggerList());
    // The copy goes on where the original was: the next id, the hand-outs.
    expect(copy.triggerStep({ family: "Clean" }).trigger_id).toBe(5);
    expect(copy.takeTrigger({ worker: "A1" }).trigger?.trigger_id).toBe(5);
  });

  test("the packed snapshot keeps them", () => {
    const f = withTriggers();
    const snap = f.s.exportState();
    expect(unpack(JSON.parse(JSON.stringify(pack(snap))) as ReturnType<typeof pack>)).toEqual(snap);
  });

  test("a snapshot written before triggers existed loads, with none", () => {
    const f = fixture();
    f.s.addWorker({ worker: "W1", info: { host: "h" } });
    f.add("A");
    const { triggers: _triggers, ...older } = f.s.exportState();
    const copy = Scheduler.importState(JSON.parse(JSON.stringify(older)), { clock: f.clock.now });
    consistent(copy);
    expect(copy.triggerList()).toEqual({ families: [], triggers: [], open: 0 });
    expect(copy.triggerStep({ family: "A" }).trigger_id).toBe(1);
  });

  test("the journal replays trigger_step, take_trigger, report_trigger and the families after a crash", async () => {
    const statePath = path.join(mkdtempSync(path.join(tmpdir(), "luigi-ts-trigger-")), "state.json");
    let t = 1_000_000;
    const clock = (): number => t;
    const first = DurableScheduler.open({ statePath, clock });
    await first.api.addWorker({ worker: "A1", info: { assistant: true, step_families: [REPORT] } });
    await first.api.triggerStep({ family: "Report", params: { day: "1" }, requested_by: "ana" });
    await first.api.triggerStep({ family: "Report", params: { day: "2" } });
    t += 1;
    expect((await first.api.takeTrigger({ worker: "A1" })).trigger?.trigger_id).toBe(1);
    await first.api.reportTrigger({ worker: "A1", trigger_id: 1, status: "refused", message: "bad day" });
    const before = await first.api.triggerList();
    expect(before.triggers.map((x) => x.status)).toEqual(["queued", "refused"]);
    // kill -9: no compaction, the journal alone.
    first.abandon();
    const second = DurableScheduler.open({ statePath, clock });
    try {
      expect(await second.api.triggerList()).toEqual(before);
      expect((await second.api.takeTrigger({ worker: "A1" })).trigger?.trigger_id).toBe(2);
      // And once compacted into a snapshot, after a clean stop.
      second.close();
      const third = DurableScheduler.open({ statePath, clock });
      try {
        expect((await third.api.triggerList()).triggers.map((x) => [x.trigger_id, x.status])).toEqual([
          [2, "taken"],
          [1, "refused"],
        ]);
        expect(third.report.replayed).toBe(0);
      } finally {
        third.close();
      }
    } finally {
      second.close();
    }
  });
});
