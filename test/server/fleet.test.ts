/**
 * A fleet of `luigi` worker processes on one DAG through a real luigid (issue 16): with
 * `[worker] trust_scheduler_done` (the default) the fleet checks each step's completeness about once;
 * off, each worker checks every step it meets, as Luigi's do. Either way every step runs exactly once.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { getPriority } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { startLuigid, type RunningLuigid } from "../helpers/luigid.js";

const FLEET = path.join(FIXTURES, "fleet.ts");

/** "<id> <pid>" lines of a log file ("<id> <pid> <nice>" for runs). */
function lines(file: string): { id: string; pid: string; nice: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id, pid, nice] = line.split(" ");
      return { id: id ?? "", pid: pid ?? "", nice: Number(nice ?? NaN) };
    });
}

/** The nice value this test process runs at: the workers start at it. */
const BASE_NICE = getPriority();

interface Fleet {
  dir: string;
  /** The workers' configuration file and environment (run() writes the file). */
  workerEnv: Record<string, string>;
  argv(args: string[]): string[];
  log: string;
  checks: string;
  bulks: string;
  out: string;
  daemon: RunningLuigid;
  /** Runs `n` workers at once on `Root` with `args`, `[worker]` lines added; each must exit 0. */
  run(n: number, args: string[], worker?: string): Promise<void>;
}

/**
 * A luigid in a fresh directory. `redo`: a step registered PENDING right after it was DONE is taken, not
 * ignored as a stale report (stable_done_cooldown_secs = 0), for the deleted-output test; a fleet needs
 * the default, which keeps a walk that checked a step before another worker ran it from making it run again.
 */
async function fleet(redo = false, scheduler = ""): Promise<Fleet> {
  const w = workdir();
  const cfg = path.join(w.dir, "luigid.cfg");
  writeFileSync(cfg, `[scheduler]\n${redo ? "stable_done_cooldown_secs = 0\n" : ""}${scheduler}`);
  const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
    cwd: w.dir,
    env: { LUIGI_CONFIG_PATH: cfg },
  });
  const workerCfg = path.join(w.dir, "worker.cfg");
  const f: Fleet = {
    dir: w.dir,
    workerEnv: {},
    argv: (args) => ["--module", FLEET, "Root", ...args, "--scheduler-url", daemon.url, "--no-lock"],
    log: w.log,
    checks: path.join(w.dir, "checks.log"),
    bulks: path.join(w.dir, "bulks.log"),
    out: w.out,
    daemon,
    async run(n, args, worker = "") {
      const results = await Promise.all(
        Array.from({ length: n }, () =>
          collect(startLuigi(f.argv(args), { cwd: w.dir, env: workerEnv(worker) })),
        ),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
    },
  };
  const workerEnv = (worker: string): Record<string, string> => {
    writeFileSync(
      workerCfg,
      `[core]\nrpc_retry_wait = 0.5\n[worker]\nkeep_alive = true\nwait_interval = 0.1\nwait_jitter = 0.2\n${worker}\n`,
    );
    return { LUIGI_CONFIG_PATH: workerCfg, OUT: w.out, LOG: w.log, CHECKS: f.checks, BULKS: f.bulks };
  };
  f.workerEnv = workerEnv("");
  return f;
}

/** Runs `body` on a fresh fleet (fleet()'s arguments after it), then stops its luigid and removes its folder. */
async function withFleet(
  body: (f: Fleet) => Promise<void>,
  ...setup: Parameters<typeof fleet>
): Promise<void> {
  const f = await fleet(...setup);
  try {
    await body(f);
  } finally {
    await f.daemon.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
}

/** Root + 10 mids + 90 leaves. */
const STEPS = 101;

describe("a fleet of eight workers on one DAG", () => {
  it("checks each step's completeness about once (trust_scheduler_done), and runs each step once", async () => {
    await withFleet(async (f) => {
      // Steps of 30 ms, so that a run of one worker would take 3 s: the others take their share.
      await f.run(8, ["--ms", "30"]);
      const runs = lines(f.log);
      expect(runs).toHaveLength(STEPS);
      expect(new Set(runs.map((r) => r.id)).size).toBe(STEPS);
      const checks = lines(f.checks);
      expect(new Set(checks.map((c) => c.id)).size).toBe(STEPS);
      expect(checks.length).toBeLessThanOrEqual(Math.floor(1.1 * STEPS));
      // Root, the step all eight were asked to run, was checked by the first to claim it; the others
      // found it walked by that one and helped it run what it registered (fleet help).
      const rootChecks = checks.filter((c) => c.id.startsWith("Root"));
      expect(rootChecks).toHaveLength(1);
      expect(new Set(runs.map((r) => r.pid)).size).toBeGreaterThanOrEqual(4);
      // The helpers yielded the CPU to the walker (helper_nice, 10 by default); the walker kept its own.
      const walker = rootChecks[0]?.pid;
      for (const r of runs) expect(r.nice).toBe(r.pid === walker ? BASE_NICE : Math.max(BASE_NICE, 10));
    });
  }, 90_000);

  it("with trust_scheduler_done = false each worker checks every step it meets, as Luigi's do", async () => {
    await withFleet(async (f) => {
      await f.run(8, [], "trust_scheduler_done = false");
      const runs = lines(f.log);
      expect(runs).toHaveLength(STEPS);
      expect(new Set(runs.map((r) => r.id)).size).toBe(STEPS);
      const checks = lines(f.checks);
      // Every worker met Root and checked it (and whatever it found incomplete below: how far it got
      // depends on what the others had run by then); and each run checked its dependencies again first
      // (check_unfulfilled_deps), 100 more.
      const rootCheckers = new Set(checks.filter((c) => c.id.startsWith("Root")).map((c) => c.pid));
      expect(rootCheckers.size).toBe(8);
      expect(checks.length).toBeGreaterThanOrEqual(2 * STEPS);
      // Nobody only helped: every worker walked its own graph, at the priority it was started with.
      for (const r of runs) expect(r.nice).toBe(BASE_NICE);
    });
  }, 90_000);
});

describe("a helper's CPU priority", () => {
  it("with helper_nice = 0, helpers keep the priority they were started with", async () => {
    await withFleet(async (f) => {
      await f.run(3, ["--ms", "30"], "helper_nice = 0");
      const runs = lines(f.log);
      expect(runs).toHaveLength(STEPS);
      expect(new Set(runs.map((r) => r.pid)).size).toBeGreaterThanOrEqual(2);
      for (const r of runs) expect(r.nice).toBe(BASE_NICE);
    });
  }, 90_000);
});

describe("fleet help when the walker dies", () => {
  it("a helper whose walker is killed mid-walk walks the rest itself and runs everything once", async () => {
    await withFleet(
      async (f) => {
        // Each check takes 150 ms: the walk of 101 steps takes a few seconds.
        const env = { ...f.workerEnv, CHECK_MS: "150" };
        const walker = startLuigi(f.argv([]), { cwd: f.dir, env });
        const walkerDone = collect(walker);
        // The walker has registered Root (and started below it) once a Mid is being checked.
        const deadline = Date.now() + 30_000;
        while (!lines(f.checks).some((c) => c.id.startsWith("Mid")) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        const helper = collect(startLuigi(f.argv([]), { cwd: f.dir, env: { ...env, CHECK_MS: "0" } }));
        await new Promise((r) => setTimeout(r, 500));
        walker.kill("SIGKILL");
        const killedAt = Date.now();
        expect((await walkerDone).signal).toBe("SIGKILL");
        const result = await helper;
        // Taken over once the walker counts as gone (worker_disconnect_delay, 2 s), its claims on the steps
        // it was checking with it: not after the claims' own 30 s.
        expect(Date.now() - killedAt).toBeLessThan(20_000);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain("walking them here after all");
        const runs = lines(f.log);
        expect(runs).toHaveLength(STEPS);
        expect(new Set(runs.map((r) => r.id)).size).toBe(STEPS);
        expect(existsSync(path.join(f.out, `${runs.at(-1)?.id ?? ""}.txt`))).toBe(true);
      },
      false,
      "worker_disconnect_delay = 2\n",
    );
  }, 90_000);
});

describe("bulkComplete in the walk", () => {
  it("hands every instance of a family met at a level to its bulkComplete in one call", async () => {
    await withFleet(async (f) => {
      await f.run(1, ["--bulk"]);
      expect(lines(f.log)).toHaveLength(STEPS);
      // The 90 leaves of the 10 mids, in one call; each step still checked once.
      expect(lines(f.bulks).map((b) => b.id)).toEqual(["90"]);
      expect(lines(f.checks)).toHaveLength(STEPS);
    });
  }, 60_000);
});

describe("a DONE step whose output was deleted", () => {
  it("is trusted complete below the step asked for with trust_scheduler_done, and found missing (and run again) with it off", async () => {
    await withFleet(async (f) => {
      const small = ["--mids", "2", "--fan", "2"];
      await f.run(1, small);
      expect(lines(f.log)).toHaveLength(7);
      const rootOut = lines(f.log).find((r) => r.id.startsWith("Root"))?.id ?? "";
      const midOut = lines(f.log).find((r) => r.id.startsWith("Mid"))?.id ?? "";
      const gone = (id: string): boolean => !existsSync(path.join(f.out, `${id}.txt`));
      rmSync(path.join(f.out, `${rootOut}.txt`));
      rmSync(path.join(f.out, `${midOut}.txt`));
      rmSync(f.checks);

      // Trusting luigid: Root, the step asked for, is checked whatever luigid holds, found missing and
      // run again; the Mid below it is DONE there: not checked, not run (its output stays missing).
      await f.run(1, small);
      expect(lines(f.log)).toHaveLength(8);
      expect(lines(f.log).at(-1)?.id).toBe(rootOut);
      expect(lines(f.checks).map((c) => c.id)).toEqual([rootOut]);
      expect(gone(midOut)).toBe(true);

      // Checking (Luigi's behaviour): with Root's output gone again, the missing Mid is found and run,
      // then Root.
      rmSync(path.join(f.out, `${rootOut}.txt`));
      await f.run(1, small, "trust_scheduler_done = false");
      const runs = lines(f.log);
      expect(runs.slice(8).map((r) => r.id)).toEqual([midOut, rootOut]);
      expect(gone(midOut) || gone(rootOut)).toBe(false);
    }, true);
  }, 90_000);
});
