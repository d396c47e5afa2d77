// The history pages over real HTTP (luigid's Fastify app on an ephemeral loopback port): HTML with every
// value escaped, the JSON twins, paging, 400 / 404 answers, and the friendly 404 when history is off.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { StepHistory } from "../../src/history/service.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { createApp } from "../../src/server/app.js";
import { createMetricsRegistry } from "../../src/server/metrics.js";
import { BACKENDS } from "./backends.js";

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

const JSON_ACCEPT = { accept: "application/json" };

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: JSON_ACCEPT });
  expect(res.headers.get("content-type")).toContain("application/json");
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function getHtml(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: { accept: "text/html" } });
  expect(res.headers.get("content-type")).toContain("text/html");
  return { status: res.status, text: await res.text() };
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`history pages on ${backend.name}`, () => {
    let base = "";
    let app: FastifyInstance;
    let history: StepHistory;
    let drop: () => Promise<void> = async () => undefined;
    let runId = 0;

    beforeAll(async () => {
      const db = await backend.create();
      drop = db.drop;
      const registry = createMetricsRegistry();
      history = new StepHistory({
        url: db.url,
        logger: silentLogger(),
        registry,
        writer: { flushInterval: 20 },
      });
      const local = new LocalScheduler({ hooks: history.recorder.hooks() });
      history.start();
      const s = local.scheduler;
      const evil = `<script>alert("x")</script>`;
      s.addTask({
        worker: "W",
        task_id: "Report_1",
        family: "Report",
        params: { day: "2026-11-20", note: evil },
      });
      s.getWork({ worker: "W", host: "host<1>" });
      // As a worker sends it: the text JSON-encoded once more.
      s.addTask({
        worker: "W",
        task_id: "Report_1",
        status: "FAILED",
        expl: JSON.stringify(`Error: ${evil}\n    at run (report.ts:1:1)`),
      });
      for (let i = 0; i < 3; i++) {
        s.addTask({
          worker: "W",
          task_id: `Load_${i}`,
          family: "Load",
          params: { part: String(i), day: "2026-11-20" },
        });
      }
      await history.writer.flush();
      runId = (await history.queries.byName("Report", { page: 1, limit: 1 })).runs[0]!.id;
      app = createApp({
        scheduler: local,
        logger: silentLogger(),
        history: history.queries,
        metrics: registry,
      });
      base = await listen(app);
    });
    afterAll(async () => {
      await app?.close();
      await history?.close();
      await drop();
    });

    it("/history lists recent runs, newest first, linked to by_name and by_id, values escaped", async () => {
      const { status, text } = await getHtml(`${base}/history`);
      expect(status).toBe(200);
      expect(text).toContain(`<a href="/history/by_name/Report">Report</a>`);
      expect(text).toContain(`<a href="/history/by_id/${runId}">${runId}</a>`);
      expect(text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(text).not.toContain("<script>alert");
      expect(text).toContain("host&lt;1&gt;");
      expect(text).toContain(`href="/history"`);
      const { body } = await getJson(`${base}/history`);
      const runs = body.runs as { family: string; id: number }[];
      expect(runs.map((r) => r.family)).toEqual(["Load", "Load", "Load", "Report"]);
      expect(runs[0]!.id).toBeGreaterThan(runs[3]!.id);
    });

    it("/history takes its window and paging from the query", async () => {
      const page = await getJson(`${base}/history?limit=2&page=2&hours=1`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ page: 2, limit: 2, hasNext: false });
      expect((page.body.runs as unknown[]).length).toBe(2);
      // A fraction of an hour that is not a whole number of milliseconds.
      const fraction = await getJson(`${base}/history?hours=0.0000001`);
      expect(fraction.status).toBe(200);
      const future = await getJson(`${base}/history?since=2999-01-01T00:00:00Z`);
      expect(future.body.runs).toEqual([]);
      const html = await getHtml(`${base}/history?limit=1`);
      expect(html.text).toContain("page=2");
    });

    it("/history/by_id shows parameters, host, events with times and the error, escaped", async () => {
      const { status, text } = await getHtml(`${base}/history/by_id/${runId}`);
      expect(status).toBe(200);
      for (const word of [
        "PENDING",
        "RUNNING",
        "FAILED",
        "2026-11-20",
        "host&lt;1&gt;",
        "Error: &lt;script&gt;",
      ]) {
        expect(text).toContain(word);
      }
      expect(text).not.toContain("<script>alert");
      expect(text).toContain(
        `<pre class="error">Error: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\n    at run (report.ts:1:1)</pre>`,
      );
      const { body } = await getJson(`${base}/history/by_id/${runId}`);
      expect(body).toMatchObject({ id: runId, family: "Report", status: "FAILED", host: "host<1>" });
      expect(body.error).toBe(`Error: <script>alert("x")</script>\n    at run (report.ts:1:1)`);
      expect((body.events as { event: string }[]).map((e) => e.event)).toEqual([
        "PENDING",
        "RUNNING",
        "FAILED",
      ]);
    });

    it("/history/by_name and /history/by_params list a family's runs, paged", async () => {
      const byName = await getJson(`${base}/history/by_name/Load?limit=2`);
      expect(byName.body).toMatchObject({ family: "Load", hasNext: true });
      expect((byName.body.runs as { stepId: string }[]).map((r) => r.stepId)).toEqual(["Load_2", "Load_1"]);
      const data = encodeURIComponent(JSON.stringify({ part: "1", day: "2026-11-20" }));
      const byParams = await getJson(`${base}/history/by_params/Load?data=${data}`);
      expect((byParams.body.runs as { stepId: string }[]).map((r) => r.stepId)).toEqual(["Load_1"]);
      const evil = encodeURIComponent(JSON.stringify({ note: `<script>alert("x")</script>` }));
      const html = await getHtml(`${base}/history/by_params/Report?data=${evil}`);
      expect(html.status).toBe(200);
      expect(html.text).toContain(`/history/by_id/${runId}`);
      expect(html.text).not.toContain("<script>alert");
      const noMatch = await getJson(
        `${base}/history/by_params/Load?data=${encodeURIComponent('{"part":"9"}')}`,
      );
      expect(noMatch.status).toBe(200);
      expect(noMatch.body.runs).toEqual([]);
    });

    it("/history/by_task_id shows the step's latest run (Luigi's page) and lists its runs in JSON", async () => {
      const { status, text } = await getHtml(`${base}/history/by_task_id/Report_1`);
      expect(status).toBe(200);
      expect(text).toContain("Report");
      const { body } = await getJson(`${base}/history/by_task_id/Report_1`);
      expect((body.runs as { id: number }[])[0]?.id).toBe(runId);
    });

    it("answers bad input with 400 and unknown things with 404, in HTML or JSON", async () => {
      const cases: [string, number, string][] = [
        ["/history/by_id/abc", 400, "not a number"],
        ["/history/by_id/99999999", 404, "no run with id"],
        // Past the INTEGER column (PostgreSQL would refuse the comparison): still just unknown.
        ["/history/by_id/2147483648", 404, "no run with id"],
        ["/history/by_id/999999999999999", 404, "no run with id"],
        // NUL, which PostgreSQL refuses in text, in a name or a parameter: unknown, not a database error.
        ["/history/by_name/No%00Such", 404, "No"],
        ["/history/by_task_id/Nope%00_1", 404, "Nope"],
        ["/history/by_params/No%00pe?data=%7B%22a%22%3A%22%5Cu0000%22%7D", 404, "No"],
        ["/history/by_name/NoSuchFamily", 404, "NoSuchFamily"],
        ["/history/by_params/Load?data=%7Bnot-json", 400, "not valid JSON"],
        ["/history/by_params/Load?data=%5B1%5D", 400, "JSON object"],
        ["/history/by_params/Nope?data=%7B%7D", 404, "Nope"],
        ["/history/by_task_id/Nope_1", 404, "Nope_1"],
        ["/history?limit=0", 400, "limit"],
        ["/history?page=x", 400, "page"],
        ["/history?hours=-1", 400, "hours"],
        ["/history/elsewhere", 404, "no history page"],
      ];
      for (const [path, code, words] of cases) {
        const json = await getJson(`${base}${path}`);
        expect(json.status, path).toBe(code);
        expect((json.body.error as { message: string }).message, path).toContain(words);
        const page = await getHtml(`${base}${path}`);
        expect(page.status, path).toBe(code);
        expect(page.text, path).toContain("luigi-ts");
      }
    });

    it("serves /metrics with the history's figures", async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain("luigi_history_events_dropped_total 0");
      expect(text).toContain("luigi_history_queue_length 0");
      expect(text).toContain("luigi_history_write_errors_total 0");
    });
  });
}

describe("history pages when history is off", () => {
  let app: FastifyInstance;
  let base = "";
  beforeAll(async () => {
    app = createApp({ scheduler: new LocalScheduler(), logger: silentLogger() });
    base = await listen(app);
  });
  afterAll(async () => app?.close());

  it("answers 404 saying how to turn it on, on every page", async () => {
    for (const path of [
      "/history",
      "/history/by_id/1",
      "/history/by_name/X",
      "/history/by_params/X?data={}",
    ]) {
      const page = await getHtml(`${base}${path}`);
      expect(page.status).toBe(404);
      expect(page.text).toContain("record_step_history = true");
      expect(page.text).toContain("[step_history]");
      const json = await getJson(`${base}${path}`);
      expect(json.status).toBe(404);
      expect(json.body.error).toMatchObject({ code: "HISTORY_DISABLED" });
    }
  });
});
