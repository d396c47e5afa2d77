import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir, type CliResult } from "../helpers/cli.js";
import { rpc, startLuigid } from "../helpers/luigid.js";

const SHARED = path.join(FIXTURES, "shared.ts");

/** Lines of the run log as "id pid" pairs. */
function runsOf(log: string): { id: string; pid: number }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id, pid] = line.split(" ");
      return { id: id ?? "", pid: Number(pid) };
    });
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Short delays so that the failure paths happen within seconds.
const SCHEDULER_CFG = `[scheduler]
worker_disconnect_delay = 2
retry_delay = 1
`;
const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
rpc_retry_attempts = 40
rpc_connect_timeout = 2
[worker]
keep_alive = true
wait_interval = 0.1
wait_jitter = 0.2
ping_interval = 0.5
`;

function workerEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const cfg = path.join(dir, "worker.cfg");
  writeFileSync(cfg, WORKER_CFG);
  return { LUIGI_CONFIG_PATH: cfg, OUT: path.join(dir, "out"), LOG: path.join(dir, "runs.log"), ...extra };
}

function luigidEnv(dir: string): Record<string, string> {
  const cfg = path.join(dir, "luigid.cfg");
  writeFileSync(cfg, SCHEDULER_CFG);
  return { LUIGI_CONFIG_PATH: cfg };
}

describe("luigid with several luigi workers", () => {
  it("runs every step of a shared DAG exactly once across four worker processes", async () => {
    const w = workdir();
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: luigidEnv(w.dir),
    });
    try {
      const env = workerEnv(w.dir);
      const args = ["--module", SHARED, "All", "--n", "300", "--scheduler-url", daemon.url, "--no-lock"];
      const results = await Promise.all(
        Array.from({ length: 4 }, () => collect(startLuigi(args, { cwd: w.dir, env }))),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const runs = runsOf(w.log);
      expect(runs).toHaveLength(300);
      expect(new Set(runs.map((r) => r.id)).size).toBe(300);
      // The work was shared: more than one process ran steps.
      expect(new Set(runs.map((r) => r.pid)).size).toBeGreaterThan(1);
      const done = await rpc<Record<string, unknown> | { num_tasks: number }>(daemon.url, "task_list", {
        status: "DONE",
      });
      expect(Object.keys(done)).toHaveLength(301);
      const summaries = results.map((r) => r.stdout).join("\n");
      expect(summaries).toContain("were run by other workers while this one waited");
    } finally {
      await daemon.stop();
    }
  });

  it("hands the step of a worker killed with -9 to another worker", async () => {
    const w = workdir();
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: luigidEnv(w.dir),
    });
    try {
      const env = workerEnv(w.dir, { HANG_AT: "20" });
      const args = ["--module", SHARED, "All", "--n", "40", "--scheduler-url", daemon.url, "--no-lock"];
      const workers = Array.from({ length: 2 }, () => startLuigi(args, { cwd: w.dir, env }));
      const results = workers.map((c) => collect(c));
      await waitFor(() => existsSync(path.join(w.out, "hung-20")));
      const hungPid = Number(readFileSync(path.join(w.out, "hung-20"), "utf8"));
      const victim = workers.find((c) => c.pid === hungPid);
      expect(victim).toBeDefined();
      victim?.kill("SIGKILL");
      const survivor = workers.find((c) => c.pid !== hungPid);
      const pending = results[workers.indexOf(survivor as never)] as Promise<CliResult>;
      // Dead-worker detection takes seconds; on a loaded machine more. If the survivor is still at it
      // after 45 s, stop it and show what it and the scheduler were doing instead of a bare timeout.
      const late = setTimeout(() => survivor?.kill("SIGTERM"), 45_000);
      const survivorResult = await pending.finally(() => clearTimeout(late));
      if (survivorResult.code !== 0) {
        const open = await rpc<Record<string, unknown>>(daemon.url, "task_list", { status: "RUNNING" });
        const failed = await rpc<Record<string, unknown>>(daemon.url, "task_list", { status: "FAILED" });
        expect.fail(
          `survivor exited ${survivorResult.code ?? survivorResult.signal}; running: ${Object.keys(open).join(
            ", ",
          )}; failed: ${Object.keys(failed).join(", ")}\n${survivorResult.stderr.split("\n").slice(-30).join("\n")}`,
        );
      }
      const node20 = runsOf(w.log).filter((r) => r.id.startsWith("Node_20_"));
      expect(node20.map((r) => r.pid)).toEqual([hungPid, survivor?.pid]);
      expect(existsSync(path.join(w.out, "node-39.txt"))).toBe(true);
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("survives kill -9 of luigid mid-run: restarted on the same state path, the run completes and nothing is redone", async () => {
    const w = workdir();
    const statePath = path.join(w.dir, "state.json");
    let daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir, env: luigidEnv(w.dir) });
    const port = daemon.port;
    try {
      const env = workerEnv(w.dir);
      const args = [
        "--module",
        SHARED,
        "All",
        "--n",
        "120",
        "--ms",
        "30",
        "--scheduler-url",
        daemon.url,
        "--no-lock",
      ];
      const workers = Array.from({ length: 2 }, () => collect(startLuigi(args, { cwd: w.dir, env })));
      await waitFor(() => runsOf(w.log).length >= 20);
      await daemon.stop("SIGKILL");
      daemon = await startLuigid(["--state-path", statePath, "--port", String(port)], {
        cwd: w.dir,
        env: luigidEnv(w.dir),
      });
      const results = await Promise.all(workers);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const runs = runsOf(w.log);
      expect(new Set(runs.map((r) => r.id)).size).toBe(120);
      // A step that was running when luigid died may run again; nothing that was DONE is redone.
      expect(runs.length).toBeLessThanOrEqual(120 + 2);
      const done = await rpc<Record<string, unknown>>(daemon.url, "task_list", { status: "DONE" });
      expect(Object.keys(done).length).toBe(121);
    } finally {
      await daemon.stop();
    }
  });
});

describe("dynamic dependencies across workers", () => {
  it("never hands out a step before the dependencies its run yielded are done (four workers, several rounds)", async () => {
    const DYNAMIC = path.join(FIXTURES, "dynamic.ts");
    for (let round = 1; round <= 3; round++) {
      const w = workdir();
      const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
        cwd: w.dir,
        env: luigidEnv(w.dir),
      });
      try {
        const env = workerEnv(w.dir);
        const args = [
          "--module",
          DYNAMIC,
          "DynAll",
          "--n",
          "200",
          "--scheduler-url",
          daemon.url,
          "--no-lock",
        ];
        const results = await Promise.all(
          Array.from({ length: 4 }, () => collect(startLuigi(args, { cwd: w.dir, env }))),
        );
        const codes = results.map((r) => r.code);
        const stderr = results.map((r, i) => `--- worker ${i} (exit ${r.code})\n${r.stderr}`).join("\n");
        expect(codes, `round ${round}\n${stderr}`).toEqual([0, 0, 0, 0]);
        const runs = runsOf(w.log);
        // The suspended step may restart in another worker (as in Luigi); everything else runs once.
        const others = runs.filter((r) => !r.id.startsWith("Dyn_"));
        expect(others, `round ${round}`).toHaveLength(201);
        expect(new Set(others.map((r) => r.id)).size, `round ${round}`).toBe(201);
        expect(readFileSync(path.join(w.out, "dyn.txt"), "utf8")).toBe("dyn read: leaf 1001\n");
      } finally {
        await daemon.stop();
      }
    }
  }, 120_000);
});

describe("assistant workers", () => {
  it("run pending steps registered by another worker, loading them by family from the module", async () => {
    const w = workdir();
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: luigidEnv(w.dir),
    });
    const env = workerEnv(w.dir);
    const assistant = startLuigi(
      ["--module", SHARED, "--assistant", "--scheduler-url", daemon.url, "--no-lock"],
      {
        cwd: w.dir,
        env,
      },
    );
    const assistantDone = collect(assistant);
    try {
      const owner = await collect(
        startLuigi(
          ["--module", SHARED, "All", "--n", "60", "--ms", "20", "--scheduler-url", daemon.url, "--no-lock"],
          {
            cwd: w.dir,
            env,
          },
        ),
      );
      expect(owner.code, owner.stderr).toBe(0);
      const runs = runsOf(w.log);
      expect(new Set(runs.map((r) => r.id)).size).toBe(60);
      expect(runs.some((r) => r.pid === assistant.pid)).toBe(true);
    } finally {
      assistant.kill("SIGTERM");
      await assistantDone;
      await daemon.stop();
    }
  });
});
