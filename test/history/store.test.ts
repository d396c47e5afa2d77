// The history store on each database: migrations, what a run is, the writer's batching, flush on close,
// overflow, and every page query. The scheduler is the real core with a hand-driven clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { silentLogger } from "../../src/log/logger.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { StepHistory } from "../../src/history/service.js";
import type { QueuedEvent } from "../../src/history/event.js";
import { FakeClock, T0 } from "../scheduler/helpers.js";
import { BACKENDS } from "./backends.js";

const W = "W1";

function open(
  url: string,
  extra: ConstructorParameters<typeof StepHistory>[0]["writer"] = {},
  registry?: Registry,
) {
  return new StepHistory({
    url,
    logger: silentLogger(),
    writer: { flushInterval: 20, retryInitial: 20, retryMax: 100, closeTimeout: 2_000, ...extra },
    ...(registry ? { registry } : {}),
  });
}

function world(history: StepHistory, init: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) {
  const clock = new FakeClock();
  const s = new Scheduler({ clock: clock.now, hooks: history.recorder.hooks(), ...init });
  const add = (id: string, extra: Record<string, unknown> = {}): void => {
    s.addTask({ worker: W, task_id: id, family: id.split("_")[0], ...extra });
  };
  return { s, clock, add };
}

function event(i: number, status: QueuedEvent["status"] = "PENDING"): QueuedEvent {
  return {
    stepId: `Bulk_${i}`,
    family: "Bulk",
    params: { i: String(i) },
    previous: "PENDING",
    status,
    time: T0 * 1000 + i,
    worker: W,
    host: null,
    error: null,
    cause: "claim",
  };
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`step history store on ${backend.name}`, () => {
    let url = "";
    let drop: () => Promise<void> = async () => undefined;
    let h: StepHistory;

    beforeAll(async () => {
      ({ url, drop } = await backend.create());
      h = open(url);
      h.start();
    });
    afterAll(async () => {
      await h?.close();
      await drop();
    });

    it("creates the schema once: a second start runs no migration and keeps the rows", async () => {
      await h.writer.flush();
      expect(h.writer.appliedMigrations).toEqual([
        "0001_initial",
        "0002_decode_error_text",
        "0003_event_actor",
        "0004_step_logs",
      ]);
      const first = open(url);
      first.start();
      await first.writer.flush();
      expect(first.writer.stateName).toBe("ready");
      expect(first.writer.appliedMigrations).toEqual([]);
      await first.close();
    });

    it("records one run per run of a step: announce, hand-out with host and worker, done", async () => {
      const { s, clock, add } = world(h);
      add("Alpha_1", { params: { day: "2026-11-20", note: "<script>alert(1)</script>" } });
      clock.advance(1);
      add("Alpha_1"); // a re-announcement of a pending step records nothing
      clock.advance(1);
      expect(s.getWork({ worker: W, host: "host-a" }).task_id).toBe("Alpha_1");
      clock.advance(2.5);
      add("Alpha_1", { status: "DONE" });
      await h.writer.flush();

      const page = await h.queries.byName("Alpha", { page: 1, limit: 10 });
      expect(page.runs).toHaveLength(1);
      const run = page.runs[0]!;
      expect(run).toMatchObject({
        stepId: "Alpha_1",
        family: "Alpha",
        status: "DONE",
        host: "host-a",
        worker: W,
        durationMs: 2500,
        params: { day: "2026-11-20", note: "<script>alert(1)</script>" },
      });
      expect(run.startedAt).toBe(new Date(T0 * 1000).toISOString());
      const detail = await h.queries.run(run.id);
      expect(detail?.events.map((e) => e.event)).toEqual(["PENDING", "RUNNING", "DONE"]);
      expect(detail?.events.map((e) => e.untilNextMs)).toEqual([2000, 2500, null]);
      expect(detail?.events[1]).toMatchObject({ host: "host-a", worker: W });

      // Announced again later (its output went away): a new run, never appended to the old one.
      clock.advance(3600);
      add("Alpha_1", { params: { day: "2026-11-20", note: "<script>alert(1)</script>" } });
      await h.writer.flush();
      const again = await h.queries.byName("Alpha", { page: 1, limit: 10 });
      expect(again.runs.map((r) => r.status)).toEqual(["PENDING", "DONE"]);
      expect(again.runs[0]!.id).toBeGreaterThan(run.id);
    });

    it("records failures with their error text, retries as new runs, and scheduler disables", async () => {
      const { s, clock, add } = world(h, { retryDelay: 5, retryCount: 2, disableWindow: 3600 });
      add("Beta_1", { params: { n: "1" } });
      s.getWork({ worker: W, host: "host-b" });
      clock.advance(1);
      add("Beta_1", { status: "FAILED", expl: "Traceback: ValueError <bad>\u0000" });
      clock.advance(6);
      s.prune(); // retry_delay passed: PENDING again, a new run
      s.getWork({ worker: W, host: "host-b" });
      clock.advance(1);
      add("Beta_1", { status: "FAILED", expl: "second failure" }); // 2 failures: disabled
      clock.advance(1);
      s.reEnableTask({ task_id: "Beta_1" });
      await h.writer.flush();

      const runs = (await h.queries.byName("Beta", { page: 1, limit: 10 })).runs;
      expect(runs).toHaveLength(2);
      const [second, first] = runs as [(typeof runs)[0], (typeof runs)[0]];
      expect(first.status).toBe("FAILED");
      // NUL (which PostgreSQL refuses in text) is stored as U+FFFD on every database.
      expect(first.error).toBe("Traceback: ValueError <bad>\uFFFD");
      const firstEvents = (await h.queries.run(first.id))!.events;
      expect(firstEvents.map((e) => e.event)).toEqual(["PENDING", "RUNNING", "FAILED"]);
      const secondEvents = (await h.queries.run(second.id))!.events;
      expect(secondEvents.map((e) => [e.event, e.message])).toEqual([
        ["PENDING", "retry"],
        ["RUNNING", null],
        ["FAILED", "second failure"],
        ["DISABLED", "second failure"],
        ["FAILED", "second failure"],
      ]);
      expect(second.error).toBe("second failure");
    });

    it("stores a failure's text once: decoded from the wire's JSON encoding, plain text kept", async () => {
      const { clock, add } = world(h, { retryCount: 1 });
      const stack = 'Error: "bad"\n    at run (x.ts:1:1)\n\tback\\slash \u0000';
      add("Enc_1", { status: "FAILED", expl: JSON.stringify(stack) }); // one failure disables (retry_count 1)
      add("Enc_2", { status: "DISABLED", expl: JSON.stringify("disabled by hand\nfor a reason") });
      add("Enc_3", { status: "FAILED", expl: '"not json' });
      add("Enc_4", { status: "FAILED", expl: JSON.stringify("") });
      clock.advance(1);
      await h.writer.flush();
      const byId = async (id: string) => {
        const run = (await h.queries.byStepId(id, { page: 1, limit: 1 })).runs[0]!;
        return { run, events: (await h.queries.run(run.id))!.events.map((e) => [e.event, e.message]) };
      };
      const one = await byId("Enc_1");
      const stored = stack.replace("\u0000", "\uFFFD");
      expect(one.run).toMatchObject({ status: "DISABLED", error: stored });
      expect(one.events).toEqual([
        ["FAILED", stored],
        ["DISABLED", stored],
      ]);
      expect((await byId("Enc_2")).run.error).toBe("disabled by hand\nfor a reason");
      expect((await byId("Enc_3")).run.error).toBe('"not json');
      // An empty text is no text: the run's error says only why the scheduler disabled it.
      const four = await byId("Enc_4");
      expect(four.run.error).toBe("disabled-by-scheduler");
      expect(four.events).toEqual([
        ["FAILED", null],
        ["DISABLED", "disabled-by-scheduler"],
      ]);
    });

    it("looks names and values up as they are stored: cut to the column, NUL replaced", async () => {
      const { add } = world(h);
      const family = `Long${"f".repeat(300)}`;
      const stepId = `${family}_${"i".repeat(300)}`;
      add(stepId, { family, params: { ["p".repeat(200)]: "a\u0000b" } });
      await h.writer.flush();
      const page = { page: 1, limit: 5 };
      expect((await h.queries.byName(family, page)).runs).toHaveLength(1);
      expect(await h.queries.familyExists(family)).toBe(true);
      expect((await h.queries.byStepId(stepId, page)).runs).toHaveLength(1);
      const matched = await h.queries.byParams(family, { ["p".repeat(200)]: "a\u0000b" }, page);
      expect(matched.runs).toHaveLength(1);
      // Odd input finds nothing rather than failing on a database that refuses it.
      expect((await h.queries.byName("no\u0000such", page)).runs).toEqual([]);
      expect((await h.queries.byStepId("no\u0000such", page)).runs).toEqual([]);
      expect(await h.queries.run(2_147_483_648)).toBeUndefined();
      expect((await h.queries.recent(Date.now() + 0.123, page)).runs).toEqual([]);
    });

    it("records a worker's disappearance, UNKNOWN and DISABLED claims, forgive and mark-as-done", async () => {
      const { s, clock, add } = world(h, { workerDisconnectDelay: 10, retryDelay: 1000 });
      add("Gamma_1");
      s.getWork({ worker: W, host: "host-g" });
      clock.advance(20);
      s.addTask({ worker: "W2", task_id: "Other_1", family: "Other" }); // keeps the clock moving for W2 only
      s.prune();
      expect(s.inspectStep("Gamma_1")?.status).toBe("FAILED");
      s.forgiveFailures({ task_id: "Gamma_1" });
      clock.advance(1);
      add("Zeta_1");
      s.getWork({ worker: W, host: "host-z" });
      add("Zeta_1", { status: "FAILED", expl: "oops" });
      s.markAsDone({ task_id: "Zeta_1" });
      s.addTask({ worker: "W2", task_id: "Delta_1", family: "Delta", status: "UNKNOWN" });
      s.addTask({ worker: "W2", task_id: "Eps_1", family: "Eps", status: "DISABLED" });
      await h.writer.flush();

      const gamma = (await h.queries.byName("Gamma", { page: 1, limit: 10 })).runs;
      expect(gamma.map((r) => r.status)).toEqual(["PENDING", "FAILED"]);
      const gone = (await h.queries.run(gamma[1]!.id))!.events;
      expect(gone.at(-1)).toMatchObject({
        event: "FAILED",
        message: "the worker running it stopped answering",
      });
      const forgiven = (await h.queries.run(gamma[0]!.id))!.events;
      expect(forgiven.map((e) => [e.event, e.message])).toEqual([["PENDING", "forgiven"]]);
      const zeta = (await h.queries.byName("Zeta", { page: 1, limit: 10 })).runs;
      expect(zeta).toHaveLength(1);
      expect(zeta[0]).toMatchObject({ status: "DONE", error: "oops" });
      const marked = (await h.queries.run(zeta[0]!.id))!.events;
      expect(marked.map((e) => [e.event, e.message])).toEqual([
        ["PENDING", null],
        ["RUNNING", null],
        ["FAILED", "oops"],
        ["DONE", "marked-done"],
      ]);
      expect((await h.queries.byName("Delta", { page: 1, limit: 5 })).runs[0]?.status).toBe("UNKNOWN");
      expect((await h.queries.byName("Eps", { page: 1, limit: 5 })).runs[0]?.status).toBe("DISABLED");
    });

    it("answers every page query: recent window, paging, parameter matches, step id", async () => {
      const { clock, add } = world(h);
      clock.advance(-7 * 86400); // a week before the other tests
      for (let i = 0; i < 5; i++) {
        add(`Page_${i}`, { params: { day: `2026-11-${10 + (i % 2)}`, region: i < 3 ? "eu" : "us" } });
        clock.advance(60);
      }
      await h.writer.flush();

      const base = (T0 - 7 * 86400) * 1000;
      const recent = await h.queries.recent(base + 150_000, { page: 1, limit: 100 });
      expect(recent.runs.map((r) => r.stepId)).toEqual(expect.arrayContaining(["Page_4", "Page_3"]));
      expect(recent.runs.some((r) => r.stepId === "Page_0")).toBe(false);

      const p1 = await h.queries.byName("Page", { page: 1, limit: 2 });
      const p2 = await h.queries.byName("Page", { page: 2, limit: 2 });
      const p3 = await h.queries.byName("Page", { page: 3, limit: 2 });
      expect(p1.runs.map((r) => r.stepId)).toEqual(["Page_4", "Page_3"]);
      expect(p1.hasNext).toBe(true);
      expect(p2.runs.map((r) => r.stepId)).toEqual(["Page_2", "Page_1"]);
      expect(p3.runs.map((r) => r.stepId)).toEqual(["Page_0"]);
      expect(p3.hasNext).toBe(false);

      const eu10 = await h.queries.byParams(
        "Page",
        { region: "eu", day: "2026-11-10" },
        { page: 1, limit: 10 },
      );
      expect(eu10.runs.map((r) => r.stepId)).toEqual(["Page_2", "Page_0"]);
      const none = await h.queries.byParams("Page", { region: "mars" }, { page: 1, limit: 10 });
      expect(none.runs).toEqual([]);
      expect(await h.queries.familyExists("Page")).toBe(true);
      expect(await h.queries.familyExists("Nope")).toBe(false);

      const byStep = await h.queries.byStepId("Page_3", { page: 1, limit: 10 });
      expect(byStep.runs).toHaveLength(1);
      expect(await h.queries.run(987654321)).toBeUndefined();
    });

    it("writes in batches and writes everything still queued on close", async () => {
      const registry = new Registry();
      const h2 = open(url, { batchSize: 250 }, registry);
      h2.recorder.arm();
      for (let i = 0; i < 1000; i++)
        h2.recorder.record({
          step: { id: `Bulk_${i}`, family: "Bulk", params: { i: String(i) } } as never,
          previous: "PENDING",
          status: "PENDING",
          time: T0 + i / 1000,
          worker: W,
          host: null,
          error: null,
          cause: "claim",
        });
      expect(h2.writer.queueLength).toBe(1000);
      h2.writer.start();
      await h2.close(); // never flushed explicitly
      expect(h2.writer.queueLength).toBe(0);
      expect(h2.writer.written).toBe(1000);
      const written = await registry.getSingleMetric("luigi_history_events_written_total")?.get();
      expect(written?.values[0]?.value).toBe(1000);
      const page = await h.queries.byName("Bulk", { page: 1, limit: 1000 });
      expect(page.runs).toHaveLength(1000);
      expect(page.runs[0]?.params).toEqual({ i: "999" });
    });

    it("counts, logs and exposes events dropped when the queue is full", async () => {
      const registry = new Registry();
      const h3 = open(url, { maxQueue: 10 }, registry);
      for (let i = 0; i < 25; i++) h3.writer.push(event(10_000 + i));
      expect(h3.writer.queueLength).toBe(10);
      expect(h3.writer.dropped).toBe(15);
      const metrics = await registry.metrics();
      expect(metrics).toContain("luigi_history_events_dropped_total 15");
      expect(metrics).toContain("luigi_history_queue_length 10");
      h3.start();
      await h3.close();
      expect(h3.writer.written).toBe(10);
    });
  });
}
