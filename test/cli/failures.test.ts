// Failures a person must be able to read, and stopping a run: real `luigi` processes.
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, runLuigi, startLuigi, workdir } from "../helpers/cli.js";
import { waitFor } from "../helpers/wait.js";

const FAILURES = path.join(FIXTURES, "failures.ts");

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a failing step", () => {
  it("prints its error with the stack trace of the user's code on stderr, and the summary points to it", async () => {
    const w = workdir();
    const result = await runLuigi(
      ["--module", FAILURES, "AfterCrash", "--day", "2026-11-20", "--local-scheduler"],
      {
        cwd: w.dir,
        env: { OUT: w.out, LOG: w.log },
      },
    );
    expect(result.code).toBe(30);
    expect(result.stderr).toContain("Error: bad record: no equals sign here");
    // The frames of the pipeline, with file and line, first; luigi-ts's own folded.
    expect(result.stderr).toMatch(/at parseRecord \(.*failures\.ts:\d+:\d+\)/);
    expect(result.stderr).toMatch(/at (async )?Crash\.run \(.*failures\.ts:\d+:\d+\)/);
    expect(result.stderr).toMatch(/\.\.\. \d+ frames? of luigi-ts and Node\.js/);
    expect(result.stderr).not.toMatch(/dist[\\/]worker[\\/]/);
    expect(result.stdout).toContain("Errors (each with its stack trace above, on stderr):");
    expect(result.stdout).toContain("- Crash(day=2026-11-20): bad record: no equals sign here");
  });

  it("shows every frame at --log-level debug", async () => {
    const w = workdir();
    const result = await runLuigi(
      ["--module", FAILURES, "Crash", "--day", "2026-11-20", "--local-scheduler", "--log-level", "debug"],
      { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
    );
    expect(result.code).toBe(30);
    expect(result.stderr).toMatch(/at parseRecord \(.*failures\.ts:\d+:\d+\)/);
    // luigi-ts's own frames too (its bundled files, dist/bundle/), named by function.
    expect(result.stderr).toMatch(/at async InlineExecutor\.execute \(.*dist[\\/]bundle[\\/]/);
  });
});

describe("onFailure()", () => {
  it("gets the error run() threw, class and code, inline and in a child process", async () => {
    for (const isolation of ["inline", "process"]) {
      const w = workdir();
      const result = await runLuigi(
        ["--module", FAILURES, "Refuses", "--local-scheduler", "--worker-isolation", isolation],
        { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
      );
      expect(result.code, isolation).toBe(30);
      expect(w.runs(), isolation).toEqual(["onFailure NonRetryableError NON_RETRYABLE"]);
    }
  });
});

describe("a dependency cycle", () => {
  it("is named step by step, exits scheduling_error and runs nothing", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", FAILURES, "Ping", "--n", "1", "--local-scheduler"], {
      cwd: w.dir,
      env: { OUT: w.out, LOG: w.log },
    });
    expect(result.code).toBe(35);
    expect(result.stderr).toContain("dependency cycle: Ping(n=1) -> Pong(n=1) -> Ping(n=1)");
    expect(result.stdout).toContain("dependency cycle: Ping(n=1) -> Pong(n=1) -> Ping(n=1)");
    expect(result.stdout).not.toContain("not granted run permission");
    expect(w.runs()).toEqual([]);
  });
});

describe("--worker-timeout", () => {
  it("stops a step whose run() never yields, under the default isolation", async () => {
    const w = workdir();
    const started = Date.now();
    const child = startLuigi(
      ["--module", FAILURES, "Spin", "--seconds", "60", "--local-scheduler", "--worker-timeout", "2"],
      { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
    );
    const result = await collect(child);
    expect(result.code).toBe(30);
    expect(result.stderr).toContain("timed out after 2 seconds");
    expect(Date.now() - started).toBeLessThan(30_000);
    const spinPid = Number(w.runs()[0]?.split(" ")[1]);
    // It ran in a child process of luigi, which was killed.
    expect(spinPid).not.toBe(child.pid);
    expect(() => process.kill(spinPid, 0)).toThrow();
  });
});

describe("no scheduler at the URL", () => {
  it("says so in one line within seconds, suggesting luigid or --local-scheduler, and exits scheduler_unreachable", async () => {
    const w = workdir();
    const port = await closedPort();
    const started = Date.now();
    const result = await runLuigi(
      ["--module", FAILURES, "Quick", "--i", "1", "--scheduler-url", `http://127.0.0.1:${port}`],
      { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
    );
    expect(result.code).toBe(15);
    expect(Date.now() - started).toBeLessThan(15_000);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no scheduler at http://127.0.0.1:${port}/`);
    expect(lines[0]).toContain("connection refused");
    expect(lines[0]).toContain("npx luigid");
    expect(lines[0]).toContain("--local-scheduler");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(w.runs()).toEqual([]);
  });
});

describe("stopping luigi", () => {
  it("on Ctrl-C tells the running step through this.signal, prints what finished and what was interrupted, exits 130", async () => {
    const w = workdir();
    const child = startLuigi(
      ["--module", FAILURES, "QuickThenPatient", "--local-scheduler", "--workers", "2"],
      {
        cwd: w.dir,
        env: { OUT: w.out, LOG: w.log },
      },
    );
    const done = collect(child);
    await waitFor(
      () =>
        w.runs().some((l) => l.startsWith("Patient")) &&
        w.runs().filter((l) => l.startsWith("Quick")).length === 2,
    );
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("SIGINT: stopping");
    expect(result.stdout).toContain("* 2 ran successfully:");
    expect(result.stdout).toContain("* 1 were interrupted:");
    expect(result.stdout).toContain("- 1 Patient(i=0)");
    expect(result.stdout).toContain("because the run was interrupted (SIGINT)");
  });

  it("SIGTERM does the same and exits 143", async () => {
    const w = workdir();
    const child = startLuigi(["--module", FAILURES, "Patient", "--local-scheduler"], {
      cwd: w.dir,
      env: { OUT: w.out, LOG: w.log },
    });
    const done = collect(child);
    await waitFor(() => w.runs().length === 1);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(143);
    expect(result.stdout).toContain("* 1 were interrupted:");
  });

  it("a second Ctrl-C exits at once, even while a step ignores its signal", async () => {
    const w = workdir();
    const child = startLuigi(["--module", FAILURES, "Stubborn", "--local-scheduler"], {
      cwd: w.dir,
      env: { OUT: w.out, LOG: w.log },
    });
    const done = collect(child);
    await waitFor(() => w.runs().length === 1);
    child.kill("SIGINT");
    await waitFor(() => child.exitCode !== null, 300).catch(() => undefined);
    expect(child.exitCode).toBeNull(); // still waiting for the stubborn step
    const second = Date.now();
    child.kill("SIGINT");
    const result = await done;
    expect(Date.now() - second).toBeLessThan(5_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("SIGINT again: exiting now");
  });
});
