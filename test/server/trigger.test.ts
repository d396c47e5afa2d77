/**
 * Triggered runs with real processes: a luigid, an assistant `luigi --assistant --module
 * test/fixtures/triggered.ts`, and `trigger_step` over HTTP. Each scenario runs several rounds and
 * asserts every one: the pipeline runs once per trigger, its outcome is the exit code `luigi FAMILY`
 * would give; bad parameters are refused with the assistant's message; a family nobody can load waits;
 * a queued trigger survives luigid's kill -9; with [auth], a viewer is refused and an operator is not.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { TriggerInfo, TriggerList } from "../../src/scheduler/api.js";
import { basic, errorOf, rpcAs, startAuthLuigid, writeUsers, type TestUser } from "../auth/helpers.js";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";

const PIPELINE = path.join(FIXTURES, "triggered.ts");

const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
rpc_retry_attempts = 20
[worker]
keep_alive = true
wait_interval = 0.1
wait_jitter = 0.1
ping_interval = 0.5
`;

interface Assistant {
  child: ChildProcess;
  result: ReturnType<typeof collect>;
}

function startAssistant(dir: string, url: string, extraEnv: Record<string, string> = {}): Assistant {
  const cfg = path.join(dir, "worker.cfg");
  writeFileSync(cfg, WORKER_CFG);
  const child = startLuigi(["--assistant", "--module", PIPELINE, "--scheduler-url", url, "--no-lock"], {
    cwd: dir,
    env: { LUIGI_CONFIG_PATH: cfg, OUT: path.join(dir, "out"), LOG: path.join(dir, "runs.log"), ...extraEnv },
  });
  return { child, result: collect(child) };
}

async function stopAssistant(a: Assistant): Promise<void> {
  if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill("SIGTERM");
  const r = await a.result;
  // Interrupted with nothing running: the signal's exit code, and nothing unhandled.
  expect(r.code, r.stderr).toBe(143);
  expect(r.stderr).not.toContain("unhandled");
}

/** Run-log lines (`<step id> <pid>`) by step id. */
function runs(dir: string): string[] {
  const log = path.join(dir, "runs.log");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" ")[0] ?? "");
}

type Call = (method: string, args: Record<string, unknown>) => Promise<unknown>;

const plain =
  (url: string): Call =>
  (method, args) =>
    rpc(url, method, args);

async function triggerOf(call: Call, id: number): Promise<TriggerInfo> {
  const list = (await call("trigger_list", { trigger_id: id })) as TriggerList;
  const found = list.triggers[0];
  if (!found) throw new Error(`no trigger ${id}`);
  return found;
}

/** Waits until the trigger has ended (or `status`); returns it. */
function settled(call: Call, id: number, status?: TriggerInfo["status"], ms = 30_000): Promise<TriggerInfo> {
  return until(
    `trigger ${id} ${status ?? "ended"}`,
    async () => {
      const t = await triggerOf(call, id);
      const done =
        status === undefined ? !["queued", "taken", "running"].includes(t.status) : t.status === status;
      return done ? t : null;
    },
    ms,
  );
}

async function announced(call: Call, family: string): Promise<void> {
  await until(`an assistant announcing ${family}`, async () =>
    ((await call("trigger_list", { limit: 0 })) as TriggerList).families.some((f) => f.name === family),
  );
}

async function trigger(call: Call, family: string, params: Record<string, string>): Promise<TriggerInfo> {
  return (await call("trigger_step", { family, params })) as TriggerInfo;
}

/** A luigid on `dir/state.json` that notices a silent assistant within seconds. */
function startDaemon(dir: string): Promise<RunningLuigid> {
  const cfg = path.join(dir, "luigid.cfg");
  writeFileSync(cfg, "[scheduler]\nworker_disconnect_delay = 3\n");
  return startLuigid(["--state-path", path.join(dir, "state.json")], {
    cwd: dir,
    env: { LUIGI_CONFIG_PATH: cfg },
  });
}

describe("triggered runs (real luigid, real assistant, HTTP trigger_step)", () => {
  it("runs the triggered pipeline once per trigger, as `luigi FAMILY` would, over several rounds", async () => {
    const w = workdir();
    const daemon = await startDaemon(w.dir);
    const call = plain(daemon.url);
    let assistant: Assistant | undefined;
    try {
      // Asked for before any assistant runs: it waits, and says nobody can run it yet.
      const early = await trigger(call, "Report", { day: "2026-03-01" });
      expect(early).toMatchObject({ status: "queued", assistants: 0, requested_by: "from 127.0.0.1" });
      assistant = startAssistant(w.dir, daemon.url);
      await announced(call, "Report");
      const { families } = (await call("trigger_list", {})) as TriggerList;
      const report = families.find((f) => f.name === "Report");
      expect(report?.assistants).toBe(1);
      expect(report?.module).toBe(PIPELINE);
      expect(report?.params.map((p) => [p.name, p.kind, p.default, p.choices])).toEqual([
        ["day", "date", null, null],
        ["region", "choice", "eu", ["eu", "us", "apac"]],
        ["copies", "int", "1", null],
        ["draft", "bool", "False", null],
      ]);
      // The module's families, and the range steps luigi-ts knows built in (a backfill can be triggered).
      const names = families.map((f) => f.name);
      expect(names.filter((n) => !n.startsWith("Range"))).toEqual(["Broken", "Extract", "Report", "Slow"]);
      expect(names).toContain("RangeDaily");

      const first = await settled(call, early.trigger_id);
      expect(first).toMatchObject({ status: "done", result: "SUCCESS", exit_code: 0, root_status: "DONE" });
      expect(first.task_id).toMatch(/^Report_1_2026_03_01_False_/);
      expect(first.run_worker).toMatch(/^Worker\(salt=/);
      expect(first.message).toContain("2 ran successfully");

      for (let round = 1; round <= 3; round++) {
        const day = `2026-04-0${round}`;
        const before = runs(w.dir).length;
        const t = await trigger(call, "Report", { day, region: "us", copies: String(round) });
        const ended = await settled(call, t.trigger_id);
        expect(ended, `round ${round}`).toMatchObject({ status: "done", exit_code: 0, result: "SUCCESS" });
        const ran = runs(w.dir).slice(before);
        expect(ran.map((id) => id.split("_")[0]).sort(), `round ${round}`).toEqual(["Extract", "Report"]);
        expect(ran).toContain(ended.task_id);
        expect(readFileSync(path.join(w.out, `report-${day}-us-${round}.txt`), "utf8")).toBe(
          "report\n".repeat(round),
        );
        // The same run again: everything is complete, nothing runs, and it is still a success.
        const again = await settled(
          call,
          (await trigger(call, "Report", { day, region: "us", copies: String(round) })).trigger_id,
        );
        expect(again, `round ${round}`).toMatchObject({
          status: "done",
          exit_code: 0,
          task_id: ended.task_id,
        });
        expect(runs(w.dir).slice(before), `round ${round}`).toEqual(ran);
      }
      // Each step of each run ran exactly once.
      const all = runs(w.dir);
      expect(new Set(all).size).toBe(all.length);

      // A failing run: its exit code is what `luigi Broken --n 7` would exit with.
      const broken = await settled(call, (await trigger(call, "Broken", { n: "7" })).trigger_id);
      expect(broken).toMatchObject({
        status: "failed",
        result: "FAILED",
        exit_code: 30,
        root_status: "FAILED",
      });
      expect(broken.message).toContain("the warehouse rejected batch 7");
    } finally {
      if (assistant) await stopAssistant(assistant);
      await daemon.stop();
    }
  }, 120_000);

  it("refuses bad parameters with the assistant's message; a family nobody loads stays queued", async () => {
    const w = workdir();
    const daemon = await startDaemon(w.dir);
    const call = plain(daemon.url);
    const assistant = startAssistant(w.dir, daemon.url);
    try {
      await announced(call, "Report");
      const cases: [Record<string, string>, string[]][] = [
        [{ day: "yesterday" }, ["parameter 'day' of Report", 'cannot parse "yesterday"', "YYYY-MM-DD"]],
        [{ day: "2026-01-01", region: "mars" }, ["parameter 'region' of Report", "one of eu, us, apac"]],
        [{ day: "2026-01-01", dya: "1" }, ["Report: unknown parameter 'dya'", "known: day, region, copies"]],
        [{ region: "eu" }, ["Report: missing parameter 'day'"]],
      ];
      for (let round = 1; round <= 2; round++) {
        for (const [params, words] of cases) {
          const t = await settled(call, (await trigger(call, "Report", params)).trigger_id);
          expect(t, JSON.stringify(params)).toMatchObject({
            status: "refused",
            task_id: null,
            exit_code: null,
          });
          for (const word of words) expect(t.message, JSON.stringify(params)).toContain(word);
        }
      }
      expect(runs(w.dir)).toEqual([]);

      // Nobody can load it: it stays queued while the assistant polls (many times in these 1.5 s).
      const nobody = await trigger(call, "Nowhere", {});
      await new Promise((r) => setTimeout(r, 1500));
      expect(await triggerOf(call, nobody.trigger_id)).toMatchObject({
        status: "queued",
        assistants: 0,
        worker: null,
      });
      // The assistant still serves the others meanwhile.
      const ok = await settled(call, (await trigger(call, "Extract", { day: "2026-01-05" })).trigger_id);
      expect(ok).toMatchObject({ status: "done", exit_code: 0 });
      expect((await triggerOf(call, nobody.trigger_id)).status).toBe("queued");
    } finally {
      await stopAssistant(assistant);
      await daemon.stop();
    }
  }, 120_000);

  it("a run whose assistant is stopped ends interrupted; one whose assistant is killed is lost, and waiting runs go to the next", async () => {
    const w = workdir();
    const daemon = await startDaemon(w.dir);
    const call = plain(daemon.url);
    const started = (n: number) => existsSync(path.join(w.out, `slow-started-${n}`));
    try {
      for (let round = 1; round <= 2; round++) {
        // SIGTERM: the run's step is told through this.signal, and the run reports how it ended.
        const a = startAssistant(w.dir, daemon.url);
        const slow = await trigger(call, "Slow", { n: String(round) });
        await until("the slow step to start", async () => started(round));
        expect(await triggerOf(call, slow.trigger_id)).toMatchObject({
          status: "running",
          root_status: "RUNNING",
        });
        await stopAssistant(a);
        const stopped = await triggerOf(call, slow.trigger_id);
        expect(stopped, `round ${round}`).toMatchObject({
          status: "failed",
          result: "INTERRUPTED",
          exit_code: 30,
        });

        // kill -9 mid-run: the run is lost once luigid notices; what waited meanwhile goes to the next.
        const b = startAssistant(w.dir, daemon.url);
        const n = 10 + round;
        const doomed = await trigger(call, "Slow", { n: String(n) });
        await until("the slow step to start", async () => started(n));
        const waiting = await trigger(call, "Extract", { day: `2026-07-0${round}` });
        b.child.kill("SIGKILL");
        await b.result;
        const lost = await settled(call, doomed.trigger_id, "lost");
        expect(lost.message, `round ${round}`).toContain("went away");
        expect((await triggerOf(call, waiting.trigger_id)).status).toBe("queued");
        const c = startAssistant(w.dir, daemon.url);
        try {
          expect(await settled(call, waiting.trigger_id), `round ${round}`).toMatchObject({
            status: "done",
            exit_code: 0,
          });
        } finally {
          await stopAssistant(c);
        }
      }
    } finally {
      await daemon.stop();
    }
  }, 120_000);

  it("keeps a queued trigger through luigid's kill -9, and runs it once an assistant comes", async () => {
    const w = workdir();
    let daemon: RunningLuigid = await startDaemon(w.dir);
    try {
      const ids: number[] = [];
      for (let round = 1; round <= 3; round++) {
        ids.push((await trigger(plain(daemon.url), "Extract", { day: `2026-05-0${round}` })).trigger_id);
        await daemon.stop("SIGKILL");
        daemon = await startDaemon(w.dir);
        const list = (await rpc<TriggerList>(daemon.url, "trigger_list", {})).triggers;
        expect(
          list.map((t) => [t.trigger_id, t.status]),
          `round ${round}`,
        ).toEqual([...ids].reverse().map((id) => [id, "queued"]));
      }
      const assistant = startAssistant(w.dir, daemon.url);
      try {
        for (const id of ids)
          expect(await settled(plain(daemon.url), id)).toMatchObject({ status: "done", exit_code: 0 });
        expect(runs(w.dir).map((r) => r.split("_")[0])).toEqual(["Extract", "Extract", "Extract"]);
      } finally {
        await stopAssistant(assistant);
      }
    } finally {
      await daemon.stop();
    }
  }, 120_000);

  it("with [auth]: a viewer may list but not trigger; an operator triggers, and is named as who asked", async () => {
    const w = workdir();
    const users: TestUser[] = [
      { name: "viewer1", role: "viewer", secret: "view-pw" },
      { name: "operator1", role: "operator", secret: "op-pw" },
      { name: "robot", role: "worker", secret: "robot-pw" },
    ];
    const usersFile = path.join(w.dir, "users.json");
    await writeUsers(usersFile, users);
    const daemon = await startAuthLuigid(w.dir, usersFile, "[scheduler]\nworker_disconnect_delay = 3\n");
    const as = (name: string, secret: string) => ({ authorization: basic(name, secret) });
    const operator: Call = async (method, args) => {
      const res = await rpcAs(daemon.url, method, args, as("operator1", "op-pw"));
      if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status} ${res.text}`);
      return res.json?.response;
    };
    const url = new URL(daemon.url);
    url.username = "robot";
    url.password = "robot-pw";
    const assistant = startAssistant(w.dir, url.href.replace(/\/$/, ""));
    try {
      await announced(operator, "Report");
      for (let round = 1; round <= 2; round++) {
        const args = { family: "Report", params: { day: `2026-06-0${round}` } };
        const viewer = await rpcAs(daemon.url, "trigger_step", args, as("viewer1", "view-pw"));
        expect(viewer.status, `round ${round}`).toBe(403);
        expect(errorOf(viewer)).toMatchObject({
          code: "FORBIDDEN",
          method: "trigger_step",
          role: "operator",
        });
        // The assistant's own credentials (role worker) may take and report, not trigger.
        expect((await rpcAs(daemon.url, "trigger_step", args, as("robot", "robot-pw"))).status).toBe(403);
        const listed = await rpcAs(daemon.url, "trigger_list", {}, as("viewer1", "view-pw"));
        expect(listed.status).toBe(200);
        const t = (await operator("trigger_step", args)) as TriggerInfo;
        expect(t.requested_by).toBe("operator1 (operator) from 127.0.0.1");
        expect(await settled(operator, t.trigger_id), `round ${round}`).toMatchObject({
          status: "done",
          exit_code: 0,
        });
      }
      // Only the operator's two runs ran: the refused calls queued nothing.
      expect(((await operator("trigger_list", {})) as TriggerList).triggers).toHaveLength(2);
      expect(runs(w.dir)).toHaveLength(4);
    } finally {
      await stopAssistant(assistant);
      await daemon.stop();
    }
  }, 120_000);
});
