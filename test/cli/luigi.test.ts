import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, ROOT, runLuigi, startLuigi, workdir } from "../helpers/cli.js";

const BASIC = path.join(FIXTURES, "basic.ts");

describe("luigi command", () => {
  it("runs a TypeScript pipeline, prints the summary, and reruns nothing the second time", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const first = await runLuigi(
      ["--module", BASIC, "Greetings", "--day", "2026-11-20", "--local-scheduler"],
      { cwd: w.dir, env },
    );
    expect(first.stderr).not.toMatch(/unhandled/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Scheduled 4 steps of which:");
    expect(first.stdout).toContain("* 4 ran successfully:");
    expect(first.stdout).toContain(
      "This progress looks :) because there were no failed steps or missing dependencies",
    );
    expect(readFileSync(path.join(w.out, "greetings-2026-11-20.txt"), "utf8")).toBe(
      "hello n0\nhello n1\nhello n2\n",
    );
    expect(w.runs().sort()).toEqual(["Greetings", "Hello n0", "Hello n1", "Hello n2"]);

    const second = await runLuigi(
      ["--module", BASIC, "Greetings", "--day", "2026-11-20", "--local-scheduler"],
      { cwd: w.dir, env },
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Scheduled 1 steps of which:");
    expect(second.stdout).toContain("* 1 complete ones were encountered:");
    expect(second.stdout).toContain("- 1 Greetings(day=2026-11-20, count=3)");
    expect(w.runs()).toHaveLength(4);
  });

  it("passes --Family-param flags and config sections to the steps that do not get the parameter", async () => {
    const w = workdir();
    writeFileSync(path.join(w.dir, "luigi.cfg"), "[Greetings]\nday = 2026-01-02\ncount = 1\n");
    const env = { OUT: w.out, LOG: w.log };
    const result = await runLuigi(
      ["--module", BASIC, "Greetings", "--Hello-name", "flag", "--local-scheduler"],
      { cwd: w.dir, env },
    );
    expect(result.code).toBe(0);
    // [Greetings] gave day and count; --Hello-name does not override the name Greetings passes explicitly.
    expect(existsSync(path.join(w.out, "greetings-2026-01-02.txt"))).toBe(true);
    expect(w.runs().sort()).toEqual(["Greetings", "Hello n0"]);
    const hello = await runLuigi(["--module", BASIC, "Hello", "--Hello-name", "flag", "--local-scheduler"], {
      cwd: w.dir,
      env,
    });
    expect(hello.code).toBe(0);
    expect(existsSync(path.join(w.out, "hello-flag.txt"))).toBe(true);
  });

  it("shows the step's parameters with --help", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", BASIC, "Greetings", "--help"], { cwd: w.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--day YYYY-MM-DD\s+the day \(date, required\)/);
    expect(result.stdout).toMatch(/--count .*\(int, default: 3\)/);
    expect(result.stdout).toContain("--local-scheduler");
  });

  it("refuses a missing or malformed parameter with exit code 2 and runs nothing", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const missing = await runLuigi(["--module", BASIC, "Greetings", "--local-scheduler"], {
      cwd: w.dir,
      env,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing parameter 'day'");
    const bad = await runLuigi(["--module", BASIC, "Greetings", "--day", "2026-13-45", "--local-scheduler"], {
      cwd: w.dir,
      env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parameter 'day' of Greetings: .*2026-13-45.*YYYY-MM-DD/);
    const unknownFlag = await runLuigi(
      ["--module", BASIC, "Greetings", "--dya", "2026-11-20", "--local-scheduler"],
      { cwd: w.dir, env },
    );
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("--dya");
    const unknownFamily = await runLuigi(["--module", BASIC, "Greetins", "--local-scheduler"], {
      cwd: w.dir,
      env,
    });
    expect(unknownFamily.code).toBe(2);
    expect(unknownFamily.stderr).toContain("Did you mean: Greetings");
    expect(existsSync(w.out)).toBe(false);
    expect(w.runs()).toEqual([]);
  });

  it("exits non-zero on a failed step and does not run what depends on it", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const result = await runLuigi(
      ["--module", BASIC, "NeedsBroken", "--day", "2026-11-20", "--local-scheduler"],
      { cwd: w.dir, env },
    );
    expect(result.code).toBe(30);
    expect(result.stdout).toContain("* 1 failed:");
    expect(result.stdout).toContain("- 1 Broken(day=2026-11-20)");
    expect(result.stdout).toContain("* 1 had failed dependencies:");
    expect(result.stdout).toContain("This progress looks :( because there were failed steps");
    expect(result.stderr).toContain("the input is corrupt");
    expect(w.runs().sort()).toEqual(["Broken", "Hello ok"]);
  });

  it("exits with missing_data when an external dependency is missing", async () => {
    const w = workdir();
    const result = await runLuigi(
      ["--module", BASIC, "UsesFeed", "--day", "2026-11-20", "--local-scheduler"],
      {
        cwd: w.dir,
        env: { OUT: w.out },
      },
    );
    expect(result.code).toBe(20);
    expect(result.stdout).toContain("* 1 were missing external dependencies:");
    expect(result.stdout).toContain("* 1 had missing dependencies:");
  });

  it("honours [retcode] settings", async () => {
    const w = workdir();
    const result = await runLuigi(
      [
        "--module",
        BASIC,
        "UsesFeed",
        "--day",
        "2026-11-20",
        "--local-scheduler",
        "--retcode-missing-data",
        "0",
      ],
      { cwd: w.dir, env: { OUT: w.out } },
    );
    // missing_data is 0 and the root did not run: not_run (25) applies.
    expect(result.code).toBe(25);
  });

  it("loads plain JavaScript modules", async () => {
    const w = workdir();
    const result = await runLuigi(
      ["--module", path.join(FIXTURES, "plain.mjs"), "PlainJs", "--n", "7", "--local-scheduler"],
      {
        cwd: w.dir,
        env: { OUT: w.out },
      },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(w.out, "plain-7.txt"), "utf8")).toBe("n=7\n");
  });

  it("refuses to run the same command twice at once (process lock), unless --no-lock", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const args = [
      "--module",
      BASIC,
      "Slow",
      "--seconds",
      "8",
      "--local-scheduler",
      "--lock-pid-dir",
      path.join(w.dir, "locks"),
    ];
    const first = startLuigi(args, { cwd: w.dir, env });
    const firstDone = collect(first);
    await waitFor(() => w.runs().some((l) => l.startsWith("Slow start")));
    const second = await runLuigi(args, { cwd: w.dir, env });
    expect(second.code).toBe(10);
    expect(second.stderr).toContain("already running");
    const third = await runLuigi([...args.slice(0, 3), "--seconds", "0", "--local-scheduler", "--no-lock"], {
      cwd: w.dir,
      env,
    });
    expect(third.code).toBe(0);
    // --take-lock asks the holder to finish its running step and stop, and runs anyway.
    const fourth = await runLuigi([...args, "--take-lock"], { cwd: w.dir, env });
    expect(fourth.code).toBe(0);
    const holder = await firstDone;
    expect(holder.code).toBe(0);
    expect(holder.stderr).toContain("SIGUSR1");
  });

  it("runs steps in child processes and kills one that exceeds its timeout", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const ok = await runLuigi(
      [
        "--module",
        BASIC,
        "Greetings",
        "--day",
        "2026-11-20",
        "--local-scheduler",
        "--workers",
        "2",
        "--worker-isolation",
        "process",
      ],
      { cwd: w.dir, env },
    );
    expect(ok.code).toBe(0);
    expect(readFileSync(path.join(w.out, "greetings-2026-11-20.txt"), "utf8")).toBe(
      "hello n0\nhello n1\nhello n2\n",
    );
    const slowChild = startLuigi(
      [
        "--module",
        BASIC,
        "Slow",
        "--seconds",
        "30",
        "--local-scheduler",
        "--worker-isolation",
        "process",
        "--worker-timeout",
        "4",
      ],
      { cwd: w.dir, env },
    );
    const slow = await collect(slowChild);
    expect(slow.code).toBe(30);
    expect(slow.stderr).toContain("timed out after 4 seconds");
    const starts = w.runs().filter((l) => l.startsWith("Slow start"));
    expect(starts).toHaveLength(1);
    const childPid = Number(starts[0]?.split(" ")[2]);
    // The step ran in a child of luigi, and that child is gone.
    expect(childPid).not.toBe(slowChild.pid);
    expect(() => process.kill(childPid, 0)).toThrow();
  });

  it("leaves no partial output when the process is killed during a write", async () => {
    const w = workdir();
    const env = { OUT: w.out, LOG: w.log };
    const child = startLuigi(["--module", BASIC, "BigWrite", "--local-scheduler"], { cwd: w.dir, env });
    const done = collect(child);
    await waitFor(() => w.runs().includes("BigWrite writing"));
    child.kill("SIGKILL");
    const result = await done;
    expect(result.signal).toBe("SIGKILL");
    expect(existsSync(path.join(w.out, "big.txt"))).toBe(false);
    // The temporary file may stay behind (nobody was alive to remove it) but never under the real name.
    for (const name of readdirSync(w.out)) expect(name).toMatch(/^big\.txt-luigi-tmp-\d+$/);
  });

  it("logs JSON lines with --log-format json", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", BASIC, "Hello", "--local-scheduler", "--log-format", "json"], {
      cwd: w.dir,
      env: { OUT: w.out },
    });
    expect(result.code).toBe(0);
    const records = result.stderr
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; step?: string; level: number });
    expect(records.map((r) => r.msg)).toEqual(["running", "done"]);
    expect(records[0]?.step).toBe("Hello(name=world)");
  });

  it("finishes its running step and stops on SIGUSR1", async () => {
    const w = workdir();
    const child = startLuigi(
      ["--module", path.join(FIXTURES, "shared.ts"), "All", "--n", "20", "--ms", "300", "--local-scheduler"],
      { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
    );
    const done = collect(child);
    await waitFor(() => w.runs().length >= 1);
    child.kill("SIGUSR1");
    const result = await done;
    expect(result.stderr).toContain("SIGUSR1");
    expect(result.code).toBe(25);
    const ran = w.runs().length;
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBeLessThan(20);
    // The step running at the signal completed: its output exists.
    expect(readdirSync(w.out).filter((f) => f.startsWith("node-"))).toHaveLength(ran);
  });

  it("runs the README's example pipeline", async () => {
    const w = workdir();
    const result = await runLuigi(
      [
        "--module",
        path.join(ROOT, "examples/sales/pipeline.ts"),
        "SalesReport",
        "--day",
        "2026-11-20",
        "--local-scheduler",
        "--workers",
        "3",
      ],
      { cwd: w.dir, env: { SALES_OUT: w.out } },
    );
    expect(result.stderr).not.toMatch(/unhandled/);
    expect(result.code).toBe(0);
    const report = readFileSync(path.join(w.out, "report-2026-11-20.md"), "utf8");
    expect(report).toContain("# Sales on 2026-11-20");
    expect(report).toMatch(/Total: \d+\.\d\d EUR/);
    // apac trades in three currencies: three exchange-rate steps were discovered at run time.
    expect(readdirSync(path.join(w.out, "rates/2026-11-20")).sort()).toEqual([
      "AUD.txt",
      "EUR.txt",
      "JPY.txt",
      "USD.txt",
    ]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
