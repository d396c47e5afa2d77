// Captured step logs in the step history, on each database: every attempt's complete log is stored with
// the run it was printed in (a run of the same batch or one written before), a large log keeps all of its
// text, a log cut short is said to be, and the run's page and its JSON twin carry them.
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StepHistory } from "../../src/history/service.js";
import { silentLogger } from "../../src/log/logger.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { registerHistoryRoutes } from "../../src/server/history-routes.js";
import { FakeClock } from "../scheduler/helpers.js";
import { BACKENDS } from "./backends.js";

const W = "W1";

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`step logs in the history on ${backend.name}`, () => {
    let drop: () => Promise<void> = async () => undefined;
    let h: StepHistory;
    let s: Scheduler;
    const clock = new FakeClock();

    const run = (id: string): void => {
      s.addTask({ worker: W, task_id: id, family: id.split("_")[0] });
      clock.advance(1);
      expect(s.getWork({ worker: W, host: "h1" }).task_id).toBe(id);
    };
    const runIdOf = async (id: string): Promise<number> => {
      const page = await h.queries.byStepId(id, { page: 1, limit: 10 });
      return page.runs[0]?.id as number;
    };

    beforeAll(async () => {
      let url: string;
      ({ url, drop } = await backend.create());
      h = new StepHistory({
        url,
        logger: silentLogger(),
        writer: { flushInterval: 20, retryInitial: 20, retryMax: 100, closeTimeout: 2_000 },
      });
      h.start();
      s = new Scheduler({ clock: clock.now, hooks: h.recorder.hooks(), stepLogBytes: 1_048_576 });
    });
    afterAll(async () => {
      await h?.close();
      await drop();
    });

    it("stores each attempt's log with its run: the same batch's run, or one written before", async () => {
      run("Report_1");
      s.addStepLogs({
        worker: W,
        logs: [{ task_id: "Report_1", attempt: 1, offset: 0, text: "reading\nwriting\n", final: true }],
      });
      s.addTask({ worker: W, task_id: "Report_1", status: "DONE" });
      await h.writer.flush();
      const first = await h.queries.run(await runIdOf("Report_1"));
      expect(first?.logs).toEqual([
        expect.objectContaining({
          attempt: 1,
          worker: W,
          text: "reading\nwriting\n",
          bytes: 16,
          cut: 0,
          incomplete: false,
        }),
      ]);

      // The run's row is written first; its log, in a later batch, still finds it.
      run("Report_2");
      await h.writer.flush();
      s.addStepLogs({
        worker: W,
        logs: [{ task_id: "Report_2", attempt: 1, offset: 0, text: "later batch\n", final: true }],
      });
      await h.writer.flush();
      const second = await h.queries.run(await runIdOf("Report_2"));
      expect(second?.logs.map((l) => l.text)).toEqual(["later batch\n"]);
    });

    it("keeps a large log whole (MySQL needs more than TEXT) and says when one was cut short", async () => {
      run("Big_1");
      let text = "";
      for (let i = 0; text.length < 600_000; i++) text += `row ${i} ${"é".repeat(i % 50)} \u0000\n`;
      s.addStepLogs({ worker: W, logs: [{ task_id: "Big_1", attempt: 1, offset: 0, text, final: false }] });
      // The worker dies: the run fails without the log's last piece.
      s.addTask({
        worker: W,
        task_id: "Big_1",
        status: "FAILED",
        runnable: null,
        expl: JSON.stringify("gone"),
      });
      await h.writer.flush();
      const detail = await h.queries.run(await runIdOf("Big_1"));
      expect(detail?.logs).toHaveLength(1);
      const log = detail?.logs[0];
      expect(log?.incomplete).toBe(true);
      expect(log?.bytes).toBe(Buffer.byteLength(text));
      // Stored as the writer stores all text: NUL replaced, everything else as sent.
      expect(log?.text).toBe(text.replaceAll("\u0000", "\uFFFD"));
    });

    it("shows the logs on /history/by_id/{id}, escaped, the error's stack marked, and in its JSON twin", async () => {
      run("Fails_1");
      const text = [
        "loading <b>rows</b>",
        "Fails_1 failed: Error: cannot load row 3",
        "    at loadRows (/srv/pipeline.ts:10:5)",
        "    ... 6 frames of luigi-ts and Node.js",
        "",
      ].join("\n");
      s.addStepLogs({ worker: W, logs: [{ task_id: "Fails_1", attempt: 1, offset: 0, text, final: true }] });
      s.addTask({
        worker: W,
        task_id: "Fails_1",
        status: "FAILED",
        runnable: null,
        expl: JSON.stringify("boom"),
      });
      await h.writer.flush();
      const id = await runIdOf("Fails_1");
      const app = Fastify();
      registerHistoryRoutes(app, { queries: h.queries });
      try {
        const page = await app.inject({ url: `/history/by_id/${id}` });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain("loading &lt;b&gt;rows&lt;/b&gt;\n");
        expect(page.body).toContain('<span class="stack">Fails_1 failed: Error: cannot load row 3</span>');
        expect(page.body).toContain('<span class="stack">    at loadRows (/srv/pipeline.ts:10:5)</span>');
        expect(page.body).toContain('<span class="stack">    ... 6 frames of luigi-ts and Node.js</span>');
        const json = await app.inject({ url: `/history/by_id/${id}?format=json` });
        expect((JSON.parse(json.body) as { logs: { text: string }[] }).logs.map((l) => l.text)).toEqual([
          text,
        ]);
        const quiet = await app.inject({ url: `/history/by_id/${await runIdOf("Report_2")}` });
        expect(quiet.body).toContain("later batch");
      } finally {
        await app.close();
      }
    });
  });
}
