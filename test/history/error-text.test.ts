// A failure's text as the history stores and shows it, end to end: a real `luigi` worker fails a step
// with a multi-line stack through a real luigid. The wire carries the text JSON-encoded (Luigi's protocol);
// the history stores it once, so the column holds the stack itself, by_id's page shows its lines and the
// JSON twin carries the plain text. A client that sends plain text has it stored as sent.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/history/pages/html.js";
import type { RunDetail, RunSummary } from "../../src/history/queries.js";
import { StepHistory } from "../../src/history/service.js";
import { silentLogger } from "../../src/log/logger.js";
import { collect, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { BACKENDS } from "./backends.js";

const FIXTURE = path.join(import.meta.dirname, "fixtures/failing.ts");
const ROUNDS = 3;
const WORKER_CFG = "[core]\nrpc_retry_wait = 0.5\nrpc_retry_attempts = 40\n[worker]\nwait_interval = 0.1\n";

const stackOf = (round: number): string =>
  `Error: boom in round ${round}\n` +
  `second line with "quotes", <b>markup</b> & a back\\slash\n` +
  `    at Boom.run (failing.ts:${round}:1)\n` +
  `    at async Worker.execute (worker.ts:2:2)`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The run of `family` that `match` picks, once it has `events` events (the writer writes every 250 ms). */
async function settledRun(
  base: string,
  family: string,
  match: (run: RunSummary) => boolean,
  events: number,
): Promise<RunDetail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await getJson<{ runs: RunSummary[] }>(`${base}/history/by_name/${family}?limit=1000`).catch(
      () => ({ runs: [] }),
    );
    const id = page.runs.find(match)?.id;
    if (id !== undefined) {
      const run = await getJson<RunDetail>(`${base}/history/by_id/${id}`);
      // The run's row and its events are two reads: a batch written between them shows in one only.
      if (run.events.length >= events && run.status === run.events.at(-1)?.event) return run;
    }
    if (Date.now() > deadline) throw new Error(`no run of ${family} with ${events} events in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`a failure's text in the history on ${backend.name}`, () => {
    it("is stored once, shown with its lines on /history/by_id and as plain text in JSON", async () => {
      const db = await backend.create();
      const w = workdir();
      const cfg = path.join(w.dir, "luigid.cfg");
      // retry_count = 1: the first failure also disables the step, so the DISABLED text is checked too.
      writeFileSync(
        cfg,
        `[scheduler]\nrecord_step_history = True\nretry_count = 1\n[step_history]\ndb_connection = ${db.url}\n`,
      );
      const workerCfg = path.join(w.dir, "worker.cfg");
      writeFileSync(workerCfg, WORKER_CFG);
      let daemon: RunningLuigid | undefined;
      const reader = new StepHistory({ url: db.url, logger: silentLogger() });
      try {
        daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
          cwd: w.dir,
          env: { LUIGI_CONFIG_PATH: cfg },
        });
        for (let round = 1; round <= ROUNDS; round++) {
          const stack = stackOf(round);
          const result = await collect(
            startLuigi(
              ["--module", FIXTURE, "Boom", "--round", String(round), "--scheduler-url", daemon.url],
              {
                cwd: w.dir,
                env: { LUIGI_CONFIG_PATH: workerCfg, OUT: w.out, BOOM_STACK: stack },
              },
            ),
          );
          expect(result.stderr + result.stdout, `round ${round}`).toContain(`boom in round ${round}`);
          const run = await settledRun(daemon.url, "Boom", (r) => r.params["round"] === String(round), 4);
          expect(run.status, `round ${round}`).toBe("DISABLED");
          expect(run.error, `round ${round}`).toBe(stack);
          expect(run.events.map((e) => [e.event, e.message])).toEqual([
            ["PENDING", null],
            ["RUNNING", null],
            ["FAILED", stack],
            ["DISABLED", stack],
          ]);
          // The wire keeps Luigi's encoding: fetch_error answers the text JSON-encoded, as Luigi does.
          const wire = await rpc<{ error: string }>(daemon.url, "fetch_error", { task_id: run.stepId });
          expect(JSON.parse(wire.error), `round ${round}`).toBe(stack);

          // The columns themselves hold the text once: no leading quote, real line breaks.
          const row = await reader.hdb.db
            .selectFrom("steps")
            .select("error")
            .where("id", "=", run.id)
            .executeTakeFirstOrThrow();
          expect(row.error, `round ${round}`).toBe(stack);
          const messages = await reader.hdb.db
            .selectFrom("step_events")
            .select("message")
            .where("run_id", "=", run.id)
            .where("event", "in", ["FAILED", "DISABLED"])
            .execute();
          expect(messages.map((m) => m.message)).toEqual([stack, stack]);

          const page = await fetch(`${daemon.url}/history/by_id/${run.id}`, {
            headers: { accept: "text/html" },
          });
          const html = await page.text();
          expect(page.status).toBe(200);
          expect(html, `round ${round}`).toContain(`<pre class="error">${escapeHtml(stack)}</pre>`);
          expect(html).not.toContain("\\n");
          expect(html).not.toContain("<b>markup</b>");
          // The events table shows the first line as the note.
          expect(html).toContain(`<td>Error: boom in round ${round}…</td>`);
        }

        // A client that sends plain text (not JSON), or JSON that is not a string, has it kept as sent.
        for (const [i, expl] of [
          'plain "text"\nline two',
          '["not", "a string"]',
          '"unterminated',
        ].entries()) {
          await rpc(daemon.url, "add_task", {
            worker: "raw-client",
            task_id: `Raw_${i}`,
            family: "Raw",
            status: "FAILED",
            expl,
          });
          const run = await settledRun(daemon.url, "Raw", (r) => r.stepId === `Raw_${i}`, 1);
          expect(run.error, expl).toBe(expl);
        }
        expect(await daemon.stop()).toBe(0);
      } finally {
        await daemon?.stop("SIGKILL");
        await reader.close();
        await db.drop();
      }
    }, 120_000);
  });
}
