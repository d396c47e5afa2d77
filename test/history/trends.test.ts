// The timeline and trend pages over real HTTP on every database: /history/timeline.json (runs as bars in
// a window, by host and worker, cut to the latest), /tasklist (counts, failures, p50 / p95 of successful
// runs, last run) and /tasklist/{name} (the chart's data in a JSON block that no text can break out of,
// a table linking each run), their 400 / 404 answers, and the 404 with history off.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { StepHistory } from "../../src/history/service.js";
import type { HistoryBar } from "../../src/history/trend-queries.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { createApp } from "../../src/server/app.js";
import { BACKENDS } from "./backends.js";

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  expect(res.headers.get("content-type")).toContain("application/json");
  return { status: res.status, body: (await res.json()) as T };
}

/** An hour ago, in whole seconds: the runs below fall in /tasklist's default week. */
const T0 = Math.floor(Date.now() / 1000) - 3600;
const EVIL = `</script><script>alert(1)</script>`;

type Bar = HistoryBar;

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`timeline and trend pages on ${backend.name}`, () => {
    let base = "";
    let app: FastifyInstance;
    let off: FastifyInstance;
    let offBase = "";
    let history: StepHistory;
    let drop: () => Promise<void> = async () => undefined;

    beforeAll(async () => {
      const db = await backend.create();
      drop = db.drop;
      history = new StepHistory({ url: db.url, logger: silentLogger(), writer: { flushInterval: 20 } });
      let t = T0;
      const local = new LocalScheduler({ hooks: history.recorder.hooks(), clock: () => t });
      history.start();
      const s = local.scheduler;
      // Load: four successes of 10, 20, 30 and 40 s on host a, one failure after 5 s on host b.
      const runs: [string, number, "DONE" | "FAILED", string][] = [
        ["Load_1", 10, "DONE", "a"],
        ["Load_2", 20, "DONE", "a"],
        ["Load_3", 40, "DONE", "a"],
        ["Load_4", 30, "DONE", "a"],
        ["Load_5", 5, "FAILED", "b"],
      ];
      for (const [id, seconds, status, host] of runs) {
        const worker = `W-${host}`;
        s.addTask({ worker, task_id: id, family: "Load", params: { part: id } });
        expect(s.getWork({ worker, host }).task_id).toBe(id);
        t += seconds;
        s.addTask({
          worker,
          task_id: id,
          status,
          expl: status === "FAILED" ? JSON.stringify(`Error: ${EVIL}\n    at run (load.ts:1:1)`) : null,
        });
        t += 100;
      }
      // Report: one success of 100 s, and one run that is still going.
      s.addTask({ worker: "W-a", task_id: "Report_1", family: "Report" });
      s.getWork({ worker: "W-a", host: "a" });
      t += 100;
      s.addTask({ worker: "W-a", task_id: "Report_1", status: "DONE" });
      s.addTask({ worker: "W-a", task_id: "Report_2", family: "Report" });
      s.getWork({ worker: "W-a", host: "a" });
      t += 10;
      await history.writer.flush();
      app = createApp({
        scheduler: local,
        logger: silentLogger(),
        history: history.queries,
        trends: history.trends,
      });
      base = await listen(app);
      off = createApp({ scheduler: new LocalScheduler(), logger: silentLogger() });
      offBase = await listen(off);
    });
    afterAll(async () => {
      await app?.close();
      await off?.close();
      await history?.close();
      await drop();
    });

    it("/history/timeline.json answers the runs of the window as bars, oldest first", async () => {
      const from = new Date(T0 * 1000).toISOString();
      const { status, body } = await getJson<{ bars: Bar[]; cut: boolean; limit: number }>(
        `${base}/history/timeline.json?from=${from}`,
      );
      expect(status).toBe(200);
      expect(body.cut).toBe(false);
      expect(body.bars.map((b) => b.id)).toEqual([
        "Load_1",
        "Load_2",
        "Load_3",
        "Load_4",
        "Load_5",
        "Report_1",
        "Report_2",
      ]);
      const first = body.bars[0] as Bar;
      expect(first).toMatchObject({ status: "DONE", startMs: T0 * 1000, endMs: (T0 + 10) * 1000 });
      expect(first).toMatchObject({ host: "a", worker: "W-a", error: null });
      expect(body.bars[4]).toMatchObject({ status: "FAILED", host: "b", error: `Error: ${EVIL}` });
      expect(body.bars[6]).toMatchObject({ status: "RUNNING", endMs: null });
      expect(typeof first.run).toBe("number");
    });

    it("/history/timeline.json filters by window, host and worker, and keeps the latest when cut", async () => {
      const at = (s: number): number => (T0 + s) * 1000;
      const ids = async (query: string): Promise<string[]> =>
        (await getJson<{ bars: Bar[] }>(`${base}/history/timeline.json?${query}`)).body.bars.map((b) => b.id);
      // Load_2 ran from T0+110 to T0+130; Load_3 from T0+230 to T0+270.
      expect(await ids(`from=${at(125)}&to=${at(240)}`)).toEqual(["Load_2", "Load_3"]);
      expect(await ids(`from=${at(0)}&host=b`)).toEqual(["Load_5"]);
      expect(await ids(`from=${at(0)}&worker=W-b`)).toEqual(["Load_5"]);
      const cut = await getJson<{ bars: Bar[]; cut: boolean }>(
        `${base}/history/timeline.json?from=${at(0)}&limit=2`,
      );
      expect(cut.body.cut).toBe(true);
      expect(cut.body.bars.map((b) => b.id)).toEqual(["Report_1", "Report_2"]);
      // Before every run: nothing.
      expect(await ids(`from=${at(-7200)}&to=${at(-3600)}`)).toEqual([]);
    });

    it("/history/timeline.json refuses a bad window", async () => {
      for (const query of [
        "from=yesterday",
        "from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z",
        "limit=0",
      ]) {
        const { status, body } = await getJson<{ error: { code: string; message: string } }>(
          `${base}/history/timeline.json?${query}`,
        );
        expect(status, query).toBe(400);
        expect(body.error.code).toBe("BAD_REQUEST");
      }
    });

    it("/tasklist: each family's runs, failures, p50 / p95 of its successful runs, last run", async () => {
      const { status, body } = await getJson<{ families: Record<string, unknown>[] }>(`${base}/tasklist`);
      expect(status).toBe(200);
      expect(body.families.map((f) => f.family)).toEqual(["Load", "Report"]);
      expect(body.families[0]).toMatchObject({
        family: "Load",
        totalRuns: 5,
        runs: 5,
        done: 4,
        failed: 1,
        // [10, 20, 30, 40] s: p50 between 20 and 30, p95 at 85 % of the way from 30 to 40.
        p50Ms: 25_000,
        p95Ms: 38_500,
        maxMs: 40_000,
        lastRun: { status: "FAILED", durationMs: 5000 },
      });
      expect(body.families[1]).toMatchObject({
        family: "Report",
        runs: 2,
        done: 1,
        failed: 0,
        p50Ms: 100_000,
      });
      const res = await fetch(`${base}/tasklist`);
      const text = await res.text();
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(text).toContain(`<a href="/tasklist/Load">Load</a>`);
      expect(text).toContain("25.0 s");
      expect(text).toContain("38.5 s");
      // A window before every run: the families stay, their figures are empty.
      const old = await getJson<{ families: Record<string, unknown>[] }>(
        `${base}/tasklist?since=2999-01-01T00:00:00Z`,
      );
      expect(old.body.families[0]).toMatchObject({ family: "Load", totalRuns: 5, runs: 0, p50Ms: null });
    });

    it("/tasklist/{name}: the chart's data in a JSON block nothing breaks out of, each run linked", async () => {
      const { status, body } = await getJson<{ points: { run: number; durationMs: number | null }[] }>(
        `${base}/tasklist/Load`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ family: "Load", runs: 5, failed: 1, p50Ms: 25_000, p95Ms: 38_500 });
      expect(body.points.map((p) => p.durationMs)).toEqual([10_000, 20_000, 40_000, 30_000, 5000]);
      const res = await fetch(`${base}/tasklist/Load`);
      const text = await res.text();
      const data = /<script type="application\/json" id="trend-data">([\s\S]*?)<\/script>/.exec(text);
      expect(data).not.toBeNull();
      const parsed = JSON.parse(data?.[1] ?? "") as { points: unknown[][]; p95Ms: number };
      expect(parsed.p95Ms).toBe(38_500);
      expect(parsed.points).toHaveLength(5);
      expect(parsed.points[4]?.[5]).toBe(`Error: ${EVIL}`);
      expect(text).not.toContain("<script>alert");
      expect(text).toContain(`<script type="module" src="/static/visualiser/history-chart.js"></script>`);
      for (const p of body.points) expect(text).toContain(`<a href="/history/by_id/${p.run}">${p.run}</a>`);
      const limited = await getJson<{ points: unknown[]; hasMore: boolean }>(`${base}/tasklist/Load?limit=2`);
      expect(limited.body.points).toHaveLength(2);
      expect(limited.body.hasMore).toBe(true);
    });

    it("/tasklist/{name} answers 404 for a family without runs, 400 for a bad limit", async () => {
      expect((await getJson(`${base}/tasklist/Nope`)).status).toBe(404);
      expect((await getJson(`${base}/tasklist/Load?limit=99999`)).status).toBe(400);
    });

    it("with history off, each page says how to turn it on", async () => {
      for (const path of ["/tasklist", "/tasklist/Load", "/history/timeline.json"]) {
        const { status, body } = await getJson<{ error: { code: string } }>(`${offBase}${path}`);
        expect(status, path).toBe(404);
        expect(body.error.code).toBe("HISTORY_DISABLED");
      }
    });
  });
}
