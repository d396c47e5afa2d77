import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, workdir } from "../helpers/cli.js";
import { LUIGID_BIN, rpc, runLuigid, startLuigid } from "../helpers/luigid.js";

const WORKER = "Worker(salt=1, workers=1, host=test, username=test, pid=1)";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

describe("luigid daemon", () => {
  it("answers Luigi's protocol, the health check, and JSON errors for bad input", async () => {
    const w = workdir();
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
    try {
      const head = await fetch(`${daemon.url}/`, { method: "HEAD" });
      expect(head.status).toBe(204);
      // Form-encoded, as Luigi's Python client sends it, with the non-JSON Infinity token.
      const form = new URLSearchParams({
        data: JSON.stringify({ worker: WORKER, task_family: "A", batched_args: ["d"] }).replace(
          "}",
          ', "max_batch_size": Infinity}',
        ),
      });
      const batcher = await fetch(`${daemon.url}/api/add_task_batcher`, { method: "POST", body: form });
      expect(batcher.status).toBe(200);
      expect(await batcher.json()).toEqual({ response: null });
      const bad = await fetch(`${daemon.url}/api/add_task`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "data={broken",
      });
      expect(bad.status).toBe(400);
      const badBody = (await bad.json()) as { error: { code: string; message: string } };
      expect(badBody.error.code).toBe("BAD_REQUEST");
      const unknown = await fetch(`${daemon.url}/api/no_such_method`, { method: "POST" });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("UNKNOWN_METHOD");
      const missing = await fetch(`${daemon.url}/api/add_task`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ worker: WORKER }),
      });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(await missing.json())).toContain("task_id");
      expect(await rpc(daemon.url, "is_pause_enabled")).toEqual({ enabled: true });
    } finally {
      await daemon.stop();
    }
  });

  it("keeps DONE and DISABLED steps across kill -9, and the pause flag across a clean stop", async () => {
    const w = workdir();
    const statePath = path.join(w.dir, "state.json");
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, "[scheduler]\nretry_count = 1\n");
    let daemon = await startLuigid(["--state-path", statePath], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    await rpc(daemon.url, "add_task", { worker: WORKER, task_id: "A_1", family: "A", status: "DONE" });
    await rpc(daemon.url, "add_task", { worker: WORKER, task_id: "B_1", family: "B", status: "PENDING" });
    await rpc(daemon.url, "add_task", { worker: WORKER, task_id: "B_1", family: "B", status: "FAILED" });
    await rpc(daemon.url, "add_task", {
      worker: WORKER,
      task_id: "C_1",
      family: "C",
      status: "PENDING",
      deps: ["A_1"],
    });
    await daemon.stop("SIGKILL");
    daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir, env: { LUIGI_CONFIG_PATH: cfg } });
    try {
      const done = await rpc<Record<string, { status: string }>>(daemon.url, "task_list", { status: "DONE" });
      expect(Object.keys(done)).toEqual(["A_1"]);
      const disabled = await rpc<Record<string, { status: string }>>(daemon.url, "task_list", {
        status: "DISABLED",
      });
      expect(Object.keys(disabled)).toEqual(["B_1"]);
      const pending = await rpc<Record<string, { status: string }>>(daemon.url, "task_list", {
        status: "PENDING",
      });
      expect(Object.keys(pending)).toEqual(["C_1"]);
      await rpc(daemon.url, "pause");
      expect(await daemon.stop("SIGTERM")).toBe(0);
      daemon = await startLuigid(["--state-path", statePath], {
        cwd: w.dir,
        env: { LUIGI_CONFIG_PATH: cfg },
      });
      expect(await rpc(daemon.url, "is_paused")).toEqual({ paused: true });
    } finally {
      await daemon.stop();
    }
  });

  it("sets a damaged state file aside and starts anyway", async () => {
    const w = workdir();
    const statePath = path.join(w.dir, "state.json");
    writeFileSync(statePath, '{"format": "luigi-ts/luigid-state", "version": 1, "steps": [tru');
    const daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
    try {
      expect(daemon.output()).toContain("the state file is damaged");
      expect(readdirSync(w.dir).some((f) => f.startsWith("state.json.damaged-"))).toBe(true);
      expect(await rpc(daemon.url, "task_list", { status: "DONE" })).toEqual({});
    } finally {
      await daemon.stop();
    }
  });

  it("runs in the background with a pidfile and a log directory, and refuses a second start", async () => {
    const w = workdir();
    const pidfile = path.join(w.dir, "run", "luigid.pid");
    const logdir = path.join(w.dir, "logs");
    const args = [
      "--background",
      "--pidfile",
      pidfile,
      "--logdir",
      logdir,
      "--address",
      "127.0.0.1",
      "--port",
      "0",
      "--state-path",
      path.join(w.dir, "s.json"),
    ];
    const first = await runLuigid(args, w.dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/running in the background \(pid \d+\) on 127\.0\.0\.1:\d+/);
    const pid = Number(readFileSync(pidfile, "utf8"));
    expect(pidAlive(pid)).toBe(true);
    try {
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(first.stderr)?.[1]);
      expect(await rpc(`http://127.0.0.1:${port}`, "is_paused")).toEqual({ paused: false });
      const second = await runLuigid(args, w.dir);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Server already running (pid ${pid}`);
      const log = readFileSync(path.join(logdir, "luigi-server.log"), "utf8");
      expect(log).toContain("luigid listening on");
    } finally {
      process.kill(pid, "SIGTERM");
      await waitGone(pid);
    }
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(pidfile)).toBe(false);
  });

  it("listens on a unix socket", async () => {
    const w = workdir();
    const socket = path.join(w.dir, "luigid.sock");
    const child = spawn(
      process.execPath,
      [LUIGID_BIN, "--unix-socket", socket, "--state-path", path.join(w.dir, "s.json")],
      {
        cwd: w.dir,
        env: { ...process.env, LUIGI_CONFIG_PATH: "" },
        stdio: "ignore",
      },
    );
    try {
      for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request({ socketPath: socket, path: "/api/is_paused", method: "POST" }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ response: { paused: false } });
      // A second luigid (another state path) must not take the live socket over.
      const second = await runLuigid(
        ["--unix-socket", socket, "--state-path", path.join(w.dir, "other.json")],
        w.dir,
      );
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`the unix socket ${socket} is in use by another running server`);
      expect(existsSync(socket)).toBe(true);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.on("exit", r));
    }
    expect(existsSync(socket)).toBe(false);
  });

  it("takes over a unix socket left behind by a luigid that was killed", async () => {
    const w = workdir();
    const socket = path.join(w.dir, "luigid.sock");
    const args = ["--unix-socket", socket, "--state-path", path.join(w.dir, "s.json")];
    const first = spawn(process.execPath, [LUIGID_BIN, ...args], {
      cwd: w.dir,
      env: { ...process.env, LUIGI_CONFIG_PATH: "" },
      stdio: "ignore",
    });
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    first.kill("SIGKILL");
    await new Promise((r) => first.on("exit", r));
    expect(existsSync(socket)).toBe(true);
    const second = spawn(process.execPath, [LUIGID_BIN, ...args], {
      cwd: w.dir,
      env: { ...process.env, LUIGI_CONFIG_PATH: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    second.stderr.on("data", (d: Buffer) => (output += d.toString()));
    try {
      for (let i = 0; i < 200 && !output.includes("listening"); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain(`luigid listening on ${socket}`);
    } finally {
      second.kill("SIGTERM");
      await new Promise((r) => second.on("exit", r));
    }
  });

  it("rejects bad flags with a usage message, suggesting the flag meant", async () => {
    const w = workdir();
    const result = await runLuigid(["--port", "notaport"], w.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port notaport");
    for (const [typo, meant] of [
      ["--state_path", "--state-path"],
      ["--statepath", "--state-path"],
      ["--pid-file", "--pidfile"],
      ["--verison", "--version"],
      ["--unix-sock", "--unix-socket"],
    ] as const) {
      const wrong = await runLuigid([typo, "x"], w.dir);
      expect(wrong.code, typo).toBe(2);
      expect(wrong.stderr).toContain(`luigid: unknown flag ${typo} (did you mean ${meant}?)`);
      expect(wrong.stderr).toContain("Usage: luigid");
    }
    const far = await runLuigid(["--frobnicate"], w.dir);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("luigid: unknown flag --frobnicate\n");
    expect(readdirSync(w.dir)).toEqual([]);
  });

  it("prints its version with --version and its usage with -h as with --help", async () => {
    const w = workdir();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const version = await runLuigid(["--version"], w.dir);
    expect(version.code).toBe(0);
    expect(version.stderr).toBe(`luigid (luigi-ts) ${pkg.version}\n`);
    const long = await runLuigid(["--help"], w.dir);
    const short = await runLuigid(["-h"], w.dir);
    expect(long.code).toBe(0);
    expect(short).toEqual(long);
    expect(long.stderr).toContain("--version");
    expect(long.stderr).toContain("-h, --help");
  });

  it("reports a malformed luigi.cfg or a bad [scheduler] value once, naming the file and line, without a stack", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    const cases = [
      { text: "[scheduler]\nretry_delay = 5\nthis is not a setting\n", says: `${cfg}:3:` },
      { text: "[scheduler]\nretry_delay = soon\n", says: `[scheduler] retry_delay = "soon" (in ${cfg})` },
    ];
    for (const { text, says } of cases) {
      writeFileSync(cfg, text);
      const result = await runLuigid(["--state-path", path.join(w.dir, "s.json")], w.dir, {
        LUIGI_CONFIG_PATH: cfg,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.split(says).length - 1, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^luigid: could not start: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
