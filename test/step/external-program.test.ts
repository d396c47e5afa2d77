// ExternalProgramStep with real programs (sh, sleep), in a worker used as a library (the real Worker and
// LocalScheduler, in this process): the output in the step's log, line by line; a failure's exit code,
// signal and stderr tail; the timeout and a stop killing the program's whole process group; the
// environment and working directory; a program or directory that is not there.
import { mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  build,
  ErrorCode,
  ExternalProgramError,
  ExternalProgramStep,
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  StepDefinitionError,
  Worker,
} from "../../src/index.js";
import { until } from "../helpers/wait.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

/** Whether process `pid` is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `script` with sh; marks its MemoryTarget done on success. */
class Script extends ExternalProgramStep.with({
  name: param.str(),
  script: param.str(),
  seconds: param.float({ default: 0 }),
}) {
  override timeout = this.seconds > 0 ? this.seconds : null;
  override killGrace = 1;
  output() {
    return new MemoryTarget(`script-${this.name}`);
  }
  program() {
    return ["sh", "-c", this.script];
  }
  override async run() {
    await super.run();
    await this.output().write("x");
  }
}

/** The step's captured log, as the scheduler holds it. */
async function logOf(scheduler: LocalScheduler, id: string): Promise<string[]> {
  const log = await scheduler.stepLog({ task_id: id });
  return log?.text.split("\n").filter(Boolean) ?? [];
}

async function runStep(step: Script): Promise<{ ok: boolean; lines: string[] }> {
  const scheduler = new LocalScheduler();
  const worker = new Worker({ scheduler });
  await worker.add([step]);
  const ok = await worker.run();
  return { ok, lines: await logOf(scheduler, step.id) };
}

/** What run() threw. */
async function failureOf(run: Promise<void>): Promise<ExternalProgramError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalProgramError);
  return err as ExternalProgramError;
}

describe("ExternalProgramStep", () => {
  it("captures stdout and stderr in the step's log, line by line and in order", async () => {
    const step = new Script({
      name: "ok",
      // Pauses between the two streams: they are two pipes, read in whatever order the OS hands them over.
      script:
        'echo "one"; sleep 0.05; echo "two" >&2; sleep 0.05; printf "no newline"; sleep 0.1; echo " end"; echo "three"',
    });
    const { ok, lines } = await runStep(step);
    expect(ok).toBe(true);
    expect(lines[0]).toMatch(/INFO: running: sh -c /);
    expect(lines.slice(1)).toEqual(["one", "two", "no newline end", "three"]);
    expect(await step.output().exists()).toBe(true);
  });

  it("gives each of several programs running at once its own log", async () => {
    const steps = ["a", "b", "c"].map(
      (n) =>
        new Script({ name: `many-${n}`, script: `for i in 1 2 3 4 5; do echo "${n} $i"; sleep 0.02; done` }),
    );
    const scheduler = new LocalScheduler();
    const worker = new Worker({ scheduler, processes: 3 });
    await worker.add(steps);
    expect(await worker.run()).toBe(true);
    for (const [i, n] of ["a", "b", "c"].entries()) {
      const lines = await logOf(scheduler, (steps[i] as Script).id);
      expect(lines.slice(1)).toEqual([1, 2, 3, 4, 5].map((k) => `${n} ${k}`));
    }
  });

  it("fails on a non-zero exit with the exit code, the argv and the last lines of stderr", async () => {
    // stdout and stderr are two pipes, read in whatever order they become readable: the pause puts "out"
    // after the err lines in the log as surely as it is after them in the script.
    const script = 'for i in $(seq 1 30); do echo "err $i" >&2; done; sleep 0.2; echo "out"; exit 3';
    const err = await failureOf(new Script({ name: "exit3", script }).run());
    expect(err.code).toBe(ErrorCode.EXTERNAL_PROGRAM_FAILED);
    expect(err.exitCode).toBe(3);
    expect(err.signal).toBeNull();
    expect(err.argv).toEqual(["sh", "-c", script]);
    expect(err.message.split("\n")[0]).toBe(`program exited with code 3: sh -c '${script}'`);
    expect(err.message).toContain("its last 20 lines on stderr:\n  err 11\n");
    expect(err.message.endsWith("  err 30")).toBe(true);
    expect(err.message).not.toContain("err 10\n");
    expect(err.message).not.toContain("\n  out");

    // Through the worker: the summary's error and the log's tail.
    const summary = await build([new Script({ name: "exit3-built", script })], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    const [name, message] = Object.entries(summary.errors)[0] ?? [];
    expect(message).toContain("program exited with code 3");
    expect(message).toContain("  err 30");
    expect(summary.logTails[name ?? ""]?.lines).toContain("out");
  });

  it("says when it printed nothing on stderr, and names the signal that killed it", async () => {
    const quiet = await failureOf(new Script({ name: "quiet", script: "exit 1" }).run());
    expect(quiet.message).toBe("program exited with code 1: sh -c 'exit 1'\n(nothing on stderr)");
    const killed = await failureOf(new Script({ name: "sig", script: "echo bye >&2; kill -SEGV $$" }).run());
    expect(killed.code).toBe(ErrorCode.EXTERNAL_PROGRAM_FAILED);
    expect(killed.signal).toBe("SIGSEGV");
    expect(killed.exitCode).toBeNull();
    expect(killed.message).toMatch(/^program was killed by SIGSEGV: .*\nits last line on stderr:\n {2}bye$/);
  });

  it("kills the program's whole process group when its timeout passes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-prog-"));
    const pids = path.join(dir, "pids");
    const script = `sleep 60 & echo "$$ $!" > ${pids}; echo started; wait`;
    const started = performance.now();
    const err = await failureOf(new Script({ name: "timeout", script, seconds: 0.5 }).run());
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err.code).toBe(ErrorCode.EXTERNAL_PROGRAM_TIMEOUT);
    expect(err.message).toMatch(
      /^program timed out after 0.5 s and was stopped \(it was killed by SIGTERM\): /,
    );
    const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
    // The shell and its background sleep (same group) are both gone.
    await until(
      "the group killed",
      async () => (!alive(shell as number) && !alive(sleeper as number)) || undefined,
    );
  });

  it("SIGKILLs a program that ignores SIGTERM after killGrace", async () => {
    const script = `trap "echo ignored >&2" TERM; echo waiting; while :; do sleep 0.05; done`;
    const started = performance.now();
    const err = await failureOf(new Script({ name: "stubborn", script, seconds: 0.3 }).run());
    const took = performance.now() - started;
    expect(err.code).toBe(ErrorCode.EXTERNAL_PROGRAM_TIMEOUT);
    expect(err.signal).toBe("SIGKILL");
    expect(took).toBeGreaterThan(1200);
    expect(took).toBeLessThan(5000);
  });

  it("kills the program when the step is stopped (its workerTimeout)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-prog-"));
    const pids = path.join(dir, "pids");
    class Slow extends Script {
      override workerTimeout = 0.5;
    }
    const step = new Slow({ name: "stopped", script: `sleep 60 & echo "$$ $!" > ${pids}; wait` });
    const summary = await build([step], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
    await until(
      "the group killed",
      async () => (!alive(shell as number) && !alive(sleeper as number)) || undefined,
    );
  });

  it("sets the environment over process.env, removes what is undefined, runs in the working directory", async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "luigi-ts-prog-")));
    process.env.LUIGI_TS_PROG_KEPT = "kept";
    process.env.LUIGI_TS_PROG_GONE = "should be gone";
    class Env extends Script {
      override environment() {
        return { GREETING: "hello 'world' $HOME", LUIGI_TS_PROG_GONE: undefined };
      }
      override workingDirectory() {
        return dir;
      }
    }
    const script =
      'echo "[$GREETING]"; echo "[$LUIGI_TS_PROG_KEPT]"; echo "[${LUIGI_TS_PROG_GONE-unset}]"; pwd';
    const { ok, lines } = await runStep(new Env({ name: "env", script }));
    expect(ok).toBe(true);
    expect(lines.slice(1)).toEqual(["[hello 'world' $HOME]", "[kept]", "[unset]", dir]);
    expect(process.env.LUIGI_TS_PROG_GONE).toBe("should be gone");
  });

  it("names a program that is not there, and a working directory that is not there", async () => {
    class Missing extends ExternalProgramStep.with({ argv0: param.str() }) {
      program() {
        return [this.argv0, "--help"];
      }
    }
    const inPath = await failureOf(new Missing({ argv0: "luigi-ts-no-such-program" }).run());
    expect(inPath.code).toBe(ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND);
    expect(inPath.message).toBe("program 'luigi-ts-no-such-program' not found in PATH");
    const byPath = await failureOf(new Missing({ argv0: "/nonexistent/tool" }).run());
    expect(byPath.message).toMatch(/^program '\/nonexistent\/tool' not found \(no such file/);

    class Elsewhere extends Script {
      override workingDirectory() {
        return "/nonexistent/dir";
      }
    }
    const noDir = await failureOf(new Elsewhere({ name: "nodir", script: "true" }).run());
    expect(noDir.code).toBe(ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND);
    expect(noDir.message).toBe("working directory '/nonexistent/dir' of program 'sh -c true' does not exist");
  });

  it("refuses a bad argv and parameter names that are its members", async () => {
    class Empty extends ExternalProgramStep {
      program() {
        return [];
      }
    }
    await expect(new Empty().run()).rejects.toThrow(/Empty\.program\(\) must return the argv/);
    class Bad extends ExternalProgramStep {
      program() {
        return ["echo", null] as unknown as string[];
      }
    }
    await expect(new Bad().run()).rejects.toThrow(/returned null at index 1/);
    expect(() => ExternalProgramStep.with({ timeout: param.int() })).toThrow(StepDefinitionError);
    expect(() => ExternalProgramStep.with({ program: param.str() })).toThrow(
      "parameter name 'program' is reserved by ExternalProgramStep; choose another name",
    );
  });

  it("sets the tracking URL from a line matching trackingUrlPattern, on either stream", async () => {
    class Tracked extends Script {
      override trackingUrlPattern = /Job UI at (https?:\/\/\S+)/g;
    }
    const step = new Tracked({
      name: "tracked",
      script:
        'echo "starting"; echo "Job UI at http://ui/1 (open)"; echo "Job UI at http://ui/1"; sleep 0.05; echo "Job UI at http://ui/2" >&2',
    });
    const urls: string[] = [];
    step.attachReporter({
      signal: new AbortController().signal,
      setStatusMessage: () => undefined,
      setProgressPercentage: () => undefined,
      setTrackingUrl: (url) => urls.push(url),
      decreaseRunningResources: () => undefined,
    });
    await step.run();
    step.attachReporter(undefined);
    expect(urls).toEqual(["http://ui/1", "http://ui/2"]);
  });

  it("round-trips its error through JSON, class and code included", async () => {
    const err = await failureOf(new Script({ name: "json", script: "echo x >&2; exit 7" }).run());
    const { LuigiError } = await import("../../src/errors.js");
    const back = LuigiError.fromJSON(JSON.parse(JSON.stringify(err)) as never);
    expect(back).toBeInstanceOf(ExternalProgramError);
    expect((back as ExternalProgramError).exitCode).toBe(7);
    expect(back.code).toBe(ErrorCode.EXTERNAL_PROGRAM_FAILED);
  });
});
