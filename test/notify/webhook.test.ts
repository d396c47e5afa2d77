// The webhook: a real HTTP server here receives what real `luigi` and `luigid` processes post.
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, FIXTURES, runLuigi, startLuigi, workdir } from "../helpers/cli.js";
import { startLuigid } from "../helpers/luigid.js";
import { freePort, startHttpServer, type HttpServerHandle } from "./servers.js";

const NOTIFY = path.join(FIXTURES, "notify.ts");
/** Like a chat service's incoming-webhook URL: the token is in the path and must never be logged. */
const TOKEN = "T0KEN-in-the-path-4711";

let hook: HttpServerHandle | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

function config(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

async function luigi(lines: string[], args: string[]): ReturnType<typeof runLuigi> {
  const w = workdir();
  const cfg = config(w.dir, "luigi.cfg", lines);
  return runLuigi(["--module", NOTIFY, ...args, "--local-scheduler"], {
    cwd: w.dir,
    env: { OUT: w.out, LUIGI_CONFIG_PATH: cfg },
  });
}

describe("the webhook", () => {
  it("gets a JSON POST per failure with a text a chat service shows and the structured fields", async () => {
    hook = await startHttpServer();
    for (let round = 1; round <= 3; round++) {
      const day = `2026-01-0${round}`;
      const result = await luigi(
        ["[webhook]", `url = ${hook.url}/services/${TOKEN}`],
        ["LedgerAndFine", "--day", day],
      );
      expect(result.code).toBe(30);
      expect(hook.requests, `round ${round}`).toHaveLength(round);
      const req = hook.requests[round - 1]!;
      expect(req.method).toBe("POST");
      expect(req.path).toBe(`/services/${TOKEN}`);
      expect(req.headers["content-type"]).toBe("application/json");
      const body = req.json;
      const step = `Ledger(day=${day}, label=<b>east & west</b>)`;
      expect(body).toMatchObject({
        event: "failure",
        text: `Luigi: ${step} FAILED on ${hostname()}: ledger line <no separator here> & the rest: no separator`,
        status: "FAILED",
        step,
        family: "Ledger",
        params: { day, label: "<b>east & west</b>" },
        owners: ["owner@example.com", "second@example.com, third@example.com"],
        host: hostname(),
        error: { message: "ledger line <no separator here> & the rest: no separator" },
      });
      expect(body.step_id).toMatch(/^Ledger_/);
      expect(body.worker).toMatch(/^Worker\(salt=\d+, /);
      expect((body.error as { stack: string }).stack).toMatch(/at parseLedgerLine \(.*notify\.ts:\d+:\d+\)/);
      expect(new Date(body.time as string).getTime()).not.toBeNaN();
      expect(result.stderr + result.stdout).not.toContain(TOKEN);
      expect(result.stderr).toContain(`sent webhook POST (failure) to ${hook.url}/…`);
    }
  });

  it("gets the run's end when [webhook] events asks for it", async () => {
    hook = await startHttpServer();
    const lines = ["[webhook]", `url = ${hook.url}/run-ends`, "events = run_end"];
    const failed = await luigi(lines, ["LedgerAndFine", "--day", "2026-02-01"]);
    const passed = await luigi(lines, ["Fine", "--n", "7"]);
    expect([failed.code, passed.code]).toEqual([30, 0]);
    expect(hook.requests.map((r) => r.json.event)).toEqual(["run_end", "run_end"]);
    expect(hook.requests[0]!.json).toMatchObject({
      status: "FAILED",
      ok: false,
      exit_code: 30,
      roots: ["LedgerAndFine(day=2026-02-01)"],
      counts: { failed: 1, completed: 1, upstream_failure: 1 },
      host: hostname(),
      text: `Luigi: run of LedgerAndFine(day=2026-02-01) on ${hostname()} ended (exit code 30). This progress looks :( because there were failed steps`,
    });
    expect(hook.requests[1]!.json).toMatchObject({
      status: "SUCCESS",
      ok: true,
      exit_code: 0,
      roots: ["Fine(n=7)"],
    });
  });

  it("answering 500, or not listening, is logged and changes nothing else", async () => {
    hook = await startHttpServer();
    hook.status = 500;
    const nobody = await freePort();
    for (let round = 1; round <= 2; round++) {
      for (const url of [`${hook.url}/hooks/${TOKEN}`, `http://127.0.0.1:${nobody}/hooks/${TOKEN}`]) {
        const result = await luigi(
          ["[webhook]", `url = ${url}`, "events = failure, run_end"],
          ["LedgerAndFine", "--day", `2026-03-0${round}`],
        );
        expect(result.code).toBe(30);
        expect(result.stdout).toContain("* 1 ran successfully:\n    - 1 Fine(n=");
        expect(result.stdout).toContain("* 1 failed:\n    - 1 Ledger(day=");
        const warnings = result.stderr.split("\n").filter((l) => l.includes("could not send webhook POST"));
        expect(warnings, result.stderr).toHaveLength(2);
        expect(warnings[0]).toMatch(url.startsWith(hook.url) ? /HTTP 500/ : /ECONNREFUSED/);
        expect(result.stderr + result.stdout).not.toContain(TOKEN);
      }
    }
    expect(hook.requests.map((r) => r.json.event)).toEqual(["failure", "run_end", "failure", "run_end"]);
  });

  it("is told by luigid when it disables a step that failed past its retry_count", async () => {
    hook = await startHttpServer();
    const w = workdir();
    const luigidCfg = config(w.dir, "luigid.cfg", [
      "[webhook]",
      `url = ${hook.url}/luigid/${TOKEN}`,
      "events = disable",
    ]);
    const workerCfg = config(w.dir, "worker.cfg", [
      "[webhook]",
      `url = ${hook.url}/worker`,
      "events = failure",
    ]);
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: luigidCfg },
    });
    try {
      for (let round = 1; round <= 3; round++) {
        const day = `2026-04-0${round}`;
        const result = await collect(
          startLuigi(
            ["--module", NOTIFY, "Ledger", "--day", day, "--scheduler-url", daemon.url, "--no-lock"],
            {
              cwd: w.dir,
              env: { OUT: w.out, LUIGI_CONFIG_PATH: workerCfg },
            },
          ),
        );
        expect(result.code, result.stderr).toBe(30);
        await hook.waitForRequests(2 * round);
        const mine = hook.requests.slice(-2).sort((a, b) => a.path.localeCompare(b.path));
        expect(mine.map((r) => [r.path, r.json.event])).toEqual([
          [`/luigid/${TOKEN}`, "disable"],
          ["/worker", "failure"],
        ]);
        const disable = mine[0]!.json;
        expect(disable).toMatchObject({
          status: "DISABLED",
          family: "Ledger",
          step: `Ledger(day=${day}, label=<b>east & west</b>)`,
          params: { day, label: "<b>east & west</b>" },
          failures: 1,
          host: hostname(),
        });
        expect(disable.text).toMatch(/^Luigi Scheduler: DISABLED Ledger\(day=.*\) due to excessive failures/);
        expect(disable.step_id).toBe(mine[1]!.json.step_id);
        expect(disable.worker).toBe(mine[1]!.json.worker);
        expect((disable.error as { stack: string }).stack).toContain("ledger line <no separator here>");
      }
    } finally {
      await daemon.stop();
    }
    expect(daemon.output()).not.toContain(TOKEN);
  });
});
