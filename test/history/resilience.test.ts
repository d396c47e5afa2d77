// A history database that is away: scheduling goes on, writes are retried with backoff and counted, and
// nothing queued is lost once it answers. Also: luigid's journal replay at start records nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import type { QueuedEvent } from "../../src/history/event.js";
import { StepHistoryRecorder } from "../../src/history/recorder.js";
import { StepHistory } from "../../src/history/service.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A loopback port nobody listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("a history database that is away", () => {
  it("keeps scheduling, retries with backoff, and writes everything once the database is back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-history-down-"));
    // The database's directory is a plain file for now, so the SQLite file cannot be created.
    const blocked = path.join(dir, "data");
    writeFileSync(blocked, "not a directory");
    const registry = new Registry();
    const history = new StepHistory({
      url: `sqlite:///${path.join(blocked, "history.db")}`,
      logger: silentLogger(),
      registry,
      writer: { flushInterval: 10, retryInitial: 10, retryMax: 50 },
    });
    try {
      const s = new Scheduler({ clock: () => Date.now() / 1000, hooks: history.recorder.hooks() });
      history.start();
      for (let i = 0; i < 50; i++) s.addTask({ worker: "W", task_id: `S_${i}`, family: "S" });
      expect(s.getWork({ worker: "W", host: "h" }).task_id).not.toBeNull();
      await waitFor(() => history.writer.stateName === "retrying");
      await waitFor(() => history.writer.queueLength === 51 && history.writer.written === 0);
      const errors = await registry.getSingleMetric("luigi_history_write_errors_total")?.get();
      expect(errors?.values[0]?.value).toBeGreaterThan(0);

      rmSync(blocked);
      mkdirSync(blocked);
      await waitFor(() => history.writer.queueLength === 0 && history.writer.written === 51);
      expect(history.writer.stateName).toBe("ready");
      const page = await history.queries.byName("S", { page: 1, limit: 100 });
      expect(page.runs).toHaveLength(50);
    } finally {
      await history.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a PostgreSQL server that is down at start is retried and counted; close gives up after its timeout", async () => {
    const port = await closedPort();
    const registry = new Registry();
    const history = new StepHistory({
      url: `postgresql://postgres@127.0.0.1:${port}/nothing?connect_timeout=1`,
      logger: silentLogger(),
      registry,
      writer: { flushInterval: 10, retryInitial: 10, retryMax: 50, closeTimeout: 300 },
    });
    const s = new Scheduler({ clock: () => Date.now() / 1000, hooks: history.recorder.hooks() });
    history.start();
    s.addTask({ worker: "W", task_id: "P_1", family: "P" });
    await waitFor(() => history.writer.stateName === "retrying");
    expect(s.getWork({ worker: "W" }).task_id).toBe("P_1");
    await history.close();
    // Lost at shutdown: counted and exposed, never silent.
    expect(history.writer.dropped).toBe(2);
    expect(await registry.metrics()).toContain("luigi_history_events_dropped_total 2");
  });
});

describe("an event the database refuses", () => {
  it("is isolated by halving the batch and dropped (counted), and the rest is written", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-history-poison-"));
    const file = path.join(dir, "history.db");
    const registry = new Registry();
    const history = new StepHistory({
      url: `sqlite:///${file}`,
      logger: silentLogger(),
      registry,
      writer: { flushInterval: 10, retryInitial: 5, retryMax: 20, batchSize: 64 },
    });
    try {
      history.start();
      await history.writer.flush();
      // A database-side rule this writer cannot satisfy for one particular event.
      const db = new Database(file);
      db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON step_events WHEN NEW.message = 'poison'
               BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END`);
      db.close();
      const s = new Scheduler({ clock: () => Date.now() / 1000, hooks: history.recorder.hooks() });
      for (let i = 0; i < 40; i++) {
        s.addTask({ worker: "W", task_id: `Q_${i}`, family: "Q" });
        s.getWork({ worker: "W", host: "h" });
        s.addTask({ worker: "W", task_id: `Q_${i}`, status: "FAILED", expl: i === 17 ? "poison" : "fine" });
      }
      await waitFor(() => history.writer.queueLength === 0 && history.writer.dropped === 1);
      expect(history.writer.written).toBe(119);
      expect(await registry.metrics()).toContain("luigi_history_events_dropped_total 1");
      const page = await history.queries.byName("Q", { page: 1, limit: 100 });
      expect(page.runs).toHaveLength(40);
    } finally {
      await history.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("luigid's journal replay", () => {
  it("does not record history: only changes after arm() are recorded", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-history-replay-"));
    const statePath = path.join(dir, "state.json");
    try {
      const seen: QueuedEvent[] = [];
      const first = new StepHistoryRecorder({ push: (e) => seen.push(e as QueuedEvent) });
      first.arm();
      const live = DurableScheduler.open({ statePath, hooks: first.hooks() });
      void live.api.addTask({ worker: "W", task_id: "R_1", family: "R" });
      void live.api.getWork({ worker: "W", host: "h" });
      expect(seen.map((e) => e.status)).toEqual(["PENDING", "RUNNING"]);
      // No close(): as after kill -9, the next start replays the journal.
      live.abandon();
      const replayed: QueuedEvent[] = [];
      const second = new StepHistoryRecorder({ push: (e) => replayed.push(e as QueuedEvent) });
      const restarted = DurableScheduler.open({ statePath, hooks: second.hooks() });
      expect(restarted.report.replayed).toBeGreaterThan(0);
      expect(restarted.core.inspectStep("R_1")?.status).toBe("RUNNING");
      expect(replayed).toEqual([]);
      second.arm();
      void restarted.api.addTask({ worker: "W", task_id: "R_1", status: "DONE" });
      expect(replayed.map((e) => e.status)).toEqual(["DONE"]);
      restarted.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
