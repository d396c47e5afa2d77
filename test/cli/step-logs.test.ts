// Captured step logs end to end: real luigi workers, a real luigid with a step history, real kills.
// What a step prints is bounded (head, tail, the cut marked), its secrets are masked everywhere (luigid's
// step_log, the history, what luigi prints), a child process's stdout and stderr are captured, a log
// survives the worker's SIGKILL and luigid's kill -9, a step that prints nothing sends nothing, and a
// Luigi-like luigid without the method keeps the logs local, said once.
import { request as httpRequest, createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepLogAnswer, TaskListResponse } from "../../src/scheduler/api.js";
import { collect, FIXTURES, runLuigi, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";

const LOGS = path.join(FIXTURES, "logs.ts");
const SECRET = "tok-9f8e7d6c5b4a3";
const PRIVATE = "hunter2-private";
const TAIL_BYTES = 16384;

interface RunJson {
  id: number;
  error: string | null;
  logs: { attempt: number; text: string; bytes: number; cut: number; incomplete: boolean }[];
}

/** A luigid with a SQLite step history, and a worker config that masks $LOG_SECRET. */
async function setup(): Promise<{
  daemon: RunningLuigid;
  dir: string;
  out: string;
  workerEnv: Record<string, string>;
  statePath: string;
  luigidEnv: Record<string, string>;
}> {
  const w = workdir();
  const cfg = path.join(w.dir, "luigid.cfg");
  writeFileSync(
    cfg,
    [
      "[scheduler]",
      "record_step_history = true",
      "worker_disconnect_delay = 2",
      "retry_delay = 600",
      "[step_history]",
      `db_connection = sqlite:///${path.join(w.dir, "history.db")}`,
      "",
    ].join("\n"),
  );
  const wcfg = path.join(w.dir, "worker.cfg");
  writeFileSync(
    wcfg,
    [
      "[worker]",
      "wait_interval = 0.1",
      "wait_jitter = 0.1",
      "ping_interval = 0.5",
      "log_redact = LOG_SECRET",
      `log_tail_bytes = ${TAIL_BYTES}`,
      "",
    ].join("\n"),
  );
  const statePath = path.join(w.dir, "state.json");
  const luigidEnv = { LUIGI_CONFIG_PATH: cfg };
  const daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir, env: luigidEnv });
  return {
    daemon,
    dir: w.dir,
    out: w.out,
    statePath,
    luigidEnv,
    workerEnv: { LUIGI_CONFIG_PATH: wcfg, OUT: w.out, LOG: w.log, LOG_SECRET: SECRET },
  };
}

/** The id of the one step whose display name starts with `prefix`. */
async function stepIdOf(url: string, prefix: string): Promise<string> {
  return until(`a step ${prefix}`, async () => {
    const list = await rpc<TaskListResponse>(url, "task_list", { status: "", limit: false });
    const found = Object.entries(list).find(([, v]) =>
      String((v as { display_name?: string }).display_name ?? "").startsWith(prefix),
    );
    return found?.[0];
  });
}

const stepLog = (url: string, taskId: string): Promise<StepLogAnswer | null> =>
  rpc<StepLogAnswer | null>(url, "step_log", { task_id: taskId });

async function historyRun(url: string, taskId: string, until_: (run: RunJson) => boolean): Promise<RunJson> {
  return until("the run in the history", async () => {
    const list = await fetch(`${url}/history/by_task_id/${encodeURIComponent(taskId)}?format=json`);
    if (!list.ok) return undefined;
    const id = ((await list.json()) as { runs: { id: number }[] }).runs[0]?.id;
    if (id === undefined) return undefined;
    const run = (await (await fetch(`${url}/history/by_id/${id}?format=json`)).json()) as RunJson;
    return until_(run) ? run : undefined;
  });
}

describe("captured step logs with a luigi-ts luigid", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  }, 30_000);
  afterAll(async () => {
    await env?.daemon.stop();
  });
  const luigi = (args: string[]) =>
    runLuigi(["--module", LOGS, ...args, "--scheduler-url", env.daemon.url, "--no-lock"], {
      cwd: env.dir,
      env: env.workerEnv,
    });

  it("bounds a step printing thousands of lines (head, tail, cut) and masks its secret everywhere", async () => {
    const result = await luigi(["Chatty", "--lines", "20000"]);
    expect(result.code).toBe(30);
    const printed = result.stdout + result.stderr;
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(PRIVATE);
    // What the step printed is still printed, masked.
    expect(result.stdout).toContain("line 020000 token=***");
    // The summary: the last lines of the log under the error, said to be the last ones.
    expect(result.stdout).toMatch(
      /- Chatty\(lines=20000, succeed=False\): cannot load row 20000: connection refused \(token \*\*\*\)/,
    );
    expect(result.stdout).toMatch(/the last 20 of the \d+ lines of its log:/);
    expect(result.stdout).toContain("| line 020000 token=***");
    expect(result.stdout).toMatch(/\| \[\d\d:\d\d:\d\d\] INFO: loaded 20000 lines/);
    expect(result.stdout).toContain("| last line, still ***");

    const id = await stepIdOf(env.daemon.url, "Chatty(lines=20000, succeed=False)");
    const log = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
    expect(log).toMatchObject({ task_id: id, attempt: 1, running: false, incomplete: false });
    expect(log.text.startsWith(`first line, connecting with *** as ***\nline 000001 some text\n`)).toBe(true);
    expect(log.text).toMatch(/\n\[… \d+ bytes cut …\]\n/);
    expect(log.text).toContain("line 020000 token=***\n");
    expect(log.text).toContain("last line, still ***\n");
    expect(log.text).toMatch(
      /failed: Error: cannot load row 20000: connection refused \(token \*\*\*\)\n\s+at loadRows/,
    );
    expect(log.bytes).toBeGreaterThan(20000 * 20);
    expect(log.cut).toBeGreaterThan(log.bytes - TAIL_BYTES - 1000);
    expect(Buffer.byteLength(log.text)).toBeLessThan(TAIL_BYTES + 200);
    expect(log.text).not.toContain(SECRET);
    expect(log.text).not.toContain(PRIVATE);

    // The log and the failure reach the history in batches of their own: wait for both.
    const run = await historyRun(env.daemon.url, id, (r) => r.logs.length > 0 && r.error !== null);
    expect(run.logs).toEqual([
      expect.objectContaining({ attempt: 1, text: log.text, bytes: log.bytes, cut: log.cut }),
    ]);
    expect(run.error).not.toContain(SECRET);
    const page = await (await fetch(`${env.daemon.url}/history/by_id/${run.id}`)).text();
    expect(page).toContain("bytes cut …]");
    expect(page).not.toContain(SECRET);
    expect(page).not.toContain(PRIVATE);
  }, 60_000);

  it("captures a child process's stdout and stderr (isolation = process), a line's secret split in two writes too", async () => {
    const result = await luigi(["Streams", "--tag", "child", "--worker-isolation", "process"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("to stdout: one\n");
    expect(result.stdout).toContain("split secret *** end\n");
    expect(result.stderr).toContain("to stderr: two\n");
    expect(result.stderr).toContain("bytes on stderr\n");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    const id = await stepIdOf(env.daemon.url, "Streams(tag=child)");
    const log = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
    expect(log.running).toBe(false);
    for (const line of ["to stdout: one", "to stderr: two", "split secret *** end", "bytes on stderr"])
      expect(log.text).toContain(`${line}\n`);
    expect(log.text).toMatch(/WARN: a logger line from child/);
    expect(log.text).not.toContain(SECRET);
    const run = await historyRun(env.daemon.url, id, (r) => r.logs.length > 0);
    expect(run.logs[0]?.text).toBe(log.text);
  }, 60_000);

  it("keeps a retried attempt's error in the log, inline and in a child process", async () => {
    for (const isolation of ["inline", "process"]) {
      const result = await luigi(["Flaky", "--tag", isolation, "--worker-isolation", isolation]);
      expect(result.code, isolation).toBe(0);
      const id = await stepIdOf(env.daemon.url, `Flaky(tag=${isolation})`);
      const log = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
      expect(log.text, isolation).toMatch(
        /^try 1\nattempt 1 of 2 failed: Error: first try fails\n\s+at Flaky\.run [^\n]*\n[\s\S]*retrying in 0\.1 s\ntry 2\n$/,
      );
    }
  }, 60_000);

  it("tells apart the logs of steps running at once in one worker (--workers 2)", async () => {
    for (const topic of ["r1", "r2", "r3"]) {
      const result = await luigi(["Conversation", "--topic", topic, "--workers", "2"]);
      expect(result.code).toBe(0);
      // They did run at once: their lines interleave in what luigi printed.
      const order = [...result.stdout.matchAll(new RegExp(`(alice|bob)-${topic} says`, "g"))].map(
        (m) => m[1],
      );
      expect(order.slice(0, 40).includes("bob") && order.slice(0, 40).includes("alice"), topic).toBe(true);
      for (const [who, other] of [
        ["alice", "bob"],
        ["bob", "alice"],
      ]) {
        const id = await stepIdOf(env.daemon.url, `Talker(who=${who}-${topic})`);
        const log = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
        const lines = log.text.split("\n").filter(Boolean);
        expect(
          lines.filter((l) => l.includes(" says ")),
          `${who} ${topic}`,
        ).toEqual(Array.from({ length: 40 }, (_, i) => `${who}-${topic} says ${i}`));
        expect(log.text).toMatch(new RegExp(`INFO: ${who}-${topic} is done`));
        expect(log.text).not.toContain(`${other}-${topic}`);
      }
    }
  }, 90_000);

  it("keeps the log up to a worker's SIGKILL, complete as it is once the run is given up", async () => {
    for (const round of [1, 2]) {
      const tag = `kill${round}`;
      const child = startLuigi(
        ["--module", LOGS, "Slow", "--tag", tag, "--scheduler-url", env.daemon.url, "--no-lock"],
        {
          cwd: env.dir,
          env: env.workerEnv,
        },
      );
      const done = collect(child);
      const id = await stepIdOf(env.daemon.url, `Slow(tag=${tag})`);
      // Pieces are sent at least every second while the step prints.
      await until("ticks in luigid", async () =>
        (await stepLog(env.daemon.url, id))?.text.includes("tick 20\n"),
      );
      child.kill("SIGKILL");
      await done;
      const atKill = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
      expect(atKill.text).toMatch(/^tick 1\ntick 2\n/);
      const ended = await until(
        "the run given up",
        async () => {
          const log = await stepLog(env.daemon.url, id);
          return log && !log.running ? log : undefined;
        },
        15_000,
      );
      expect(ended, `round ${round}`).toMatchObject({ incomplete: true, running: false });
      expect(ended.text.startsWith(atKill.text)).toBe(true);
      expect(ended.text).not.toContain("failed:");
      const run = await historyRun(env.daemon.url, id, (r) => r.logs.length > 0);
      expect(run.logs[0]).toMatchObject({ incomplete: true, text: ended.text });
    }
  }, 90_000);

  it("keeps the latest logs across luigid's kill -9 and its restart", async () => {
    await luigi(["Chatty", "--lines", "50", "--succeed"]);
    const id = await stepIdOf(env.daemon.url, "Chatty(lines=50, succeed=True)");
    const before = (await stepLog(env.daemon.url, id)) as StepLogAnswer;
    expect(before.text).toContain("line 000050 some text\n");
    const streams = await stepIdOf(env.daemon.url, "Streams(tag=child)");
    const streamsBefore = await stepLog(env.daemon.url, streams);
    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      await env.daemon.stop(signal);
      env.daemon = await startLuigid(["--state-path", env.statePath], { cwd: env.dir, env: env.luigidEnv });
      expect(await stepLog(env.daemon.url, id), signal).toEqual(before);
      expect(await stepLog(env.daemon.url, streams), signal).toEqual(streamsBefore);
    }
  }, 60_000);
});

/**
 * An HTTP server in front of a luigid: it counts the calls, and in "luigi" mode answers what Luigi's
 * luigid answers for the methods only luigi-ts has (a 404 page), forwarding the rest.
 */
async function proxy(
  target: string,
  mode: "luigi" | "count",
): Promise<{
  url: string;
  calls: Map<string, number>;
  close: () => Promise<void>;
}> {
  const calls = new Map<string, number>();
  const onlyLuigiTs = new Set([
    "add_tasks",
    "get_works",
    "add_step_logs",
    "step_log",
    "step_page",
    "step_graph",
  ]);
  const server: Server = createServer((req, res) => {
    const method = /^\/api\/([a-z_]+)/.exec(req.url ?? "")?.[1] ?? "";
    calls.set(method, (calls.get(method) ?? 0) + 1);
    if (mode === "luigi" && onlyLuigiTs.has(method)) {
      req.resume();
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><title>404: Not Found</title><body>404: Not Found</body></html>");
      return;
    }
    const upstream = httpRequest(
      `${target}${req.url ?? "/"}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("captured step logs, what they cost and where there is no luigi-ts luigid", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  }, 30_000);
  afterAll(async () => {
    await env?.daemon.stop();
  });
  const via = (url: string, args: string[]) =>
    runLuigi(["--module", LOGS, ...args, "--scheduler-url", url, "--no-lock"], {
      cwd: env.dir,
      env: env.workerEnv,
    });

  it("sends nothing for steps that print nothing", async () => {
    const counting = await proxy(env.daemon.url, "count");
    try {
      const quiet = await via(counting.url, ["QuietMany", "--count", "20"]);
      expect(quiet.code).toBe(0);
      expect(counting.calls.get("add_step_logs") ?? 0).toBe(0);
      const chatty = await via(counting.url, ["Chatty", "--lines", "5", "--succeed"]);
      expect(chatty.code).toBe(0);
      expect(counting.calls.get("add_step_logs") ?? 0).toBeGreaterThan(0);
    } finally {
      await counting.close();
    }
  }, 60_000);

  it("keeps the logs with the worker against a luigid without the method, and says so once", async () => {
    const luigiLike = await proxy(env.daemon.url, "luigi");
    try {
      const result = await via(luigiLike.url, ["ChattyMany", "--count", "4", "--workers", "2"]);
      expect(result.code).toBe(0);
      const said = result.stderr.match(/the scheduler keeps no step logs/g) ?? [];
      expect(said).toHaveLength(1);
      expect(luigiLike.calls.get("add_step_logs")).toBe(1);
      // The steps ran through the Luigi-like scheduler: luigid itself holds no log of them.
      const id = await stepIdOf(env.daemon.url, "Chatty(lines=11, succeed=True)");
      expect(await stepLog(env.daemon.url, id)).toBeNull();
      // A failed step's log is still shown by luigi itself.
      const failed = await via(luigiLike.url, ["Chatty", "--lines", "30"]);
      expect(failed.code).toBe(30);
      expect(failed.stdout).toContain("| last line, still ***");
      expect(failed.stdout + failed.stderr).not.toContain(SECRET);
    } finally {
      await luigiLike.close();
    }
  }, 60_000);
});
