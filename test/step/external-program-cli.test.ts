// ExternalProgramStep through real `luigi` workers and a real luigid: the program's output in the step log
// luigid holds (masked), inline and with isolation = process; a failure's stderr tail in what luigi
// prints; a worker timeout, in-process or in a SIGKILLed child process, and a Ctrl-C leave no program
// running.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stepId } from "../../src/index.js";
import type { StepLogAnswer } from "../../src/scheduler/api.js";
import { collect, FIXTURES, runLuigi, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";

const PROGRAMS = path.join(FIXTURES, "programs.ts");
const SECRET = "tok-5e4d3c2b1a";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids each Hang run wrote ("shell sleep" a line). */
function pidsIn(file: string): number[] {
  return readFileSync(file, "utf8").split(/\s+/).filter(Boolean).map(Number);
}

describe("ExternalProgramStep through luigi and luigid", () => {
  let daemon: RunningLuigid;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    const w = workdir();
    dir = w.dir;
    const wcfg = path.join(dir, "worker.cfg");
    writeFileSync(wcfg, "[worker]\nwait_interval = 0.1\nwait_jitter = 0.1\nlog_redact = LOG_SECRET\n");
    env = { LUIGI_CONFIG_PATH: wcfg, OUT: w.out, LOG_SECRET: SECRET, PIDS: path.join(dir, "pids") };
    // A state of its own: the machine's default state path may hold these steps DONE from other runs,
    // and a worker trusts luigid's DONE (trust_scheduler_done).
    daemon = await startLuigid(["--state-path", path.join(dir, "state.json")], { cwd: dir });
  }, 30_000);
  afterAll(async () => {
    await daemon?.stop();
  });
  const luigi = (args: string[]) =>
    runLuigi(["--module", PROGRAMS, ...args, "--scheduler-url", daemon.url, "--no-lock"], { cwd: dir, env });

  it("puts the program's output in the step log luigid holds, masked, inline and in a child process", async () => {
    for (const isolation of ["inline", "process"]) {
      const result = await luigi(["Shout", "--tag", isolation, "--worker-isolation", isolation]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`shout ${isolation} to stdout\n`);
      expect(result.stderr).toContain(`shout ${isolation} to stderr\n`);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      const id = stepId("Shout", { tag: isolation, code: "0" });
      const log = (await rpc<StepLogAnswer | null>(daemon.url, "step_log", { task_id: id })) as StepLogAnswer;
      const lines = log.text.split("\n");
      expect(lines[0], isolation).toMatch(/INFO: running: sh -c /);
      // Each stream's lines in order (stdout and stderr are two pipes: their interleaving is the OS's).
      expect(lines.slice(1).filter((l) => /to stdout|token/.test(l))).toEqual([
        `shout ${isolation} to stdout`,
        "the token is ***",
      ]);
      expect(lines.slice(1).filter((l) => /to stderr|stderr last/.test(l))).toEqual([
        `shout ${isolation} to stderr`,
        "stderr last",
      ]);
      expect(lines).toHaveLength(6);
      expect(log.text).not.toContain(SECRET);
    }
  }, 60_000);

  it("shows a failed program's stderr tail and exit code in luigi's summary", async () => {
    for (const isolation of ["inline", "process"]) {
      const result = await luigi([
        "Shout",
        "--tag",
        `f-${isolation}`,
        "--code",
        "4",
        "--worker-isolation",
        isolation,
      ]);
      expect(result.code, isolation).not.toBe(0);
      const printed = result.stdout + result.stderr;
      expect(printed, isolation).toContain("program exited with code 4: sh -c ");
      expect(printed, isolation).toMatch(
        /its last 2 lines on stderr:\n\s+shout f-\w+ to stderr\n\s+stderr last/,
      );
      expect(printed).not.toContain(SECRET);
    }
  }, 60_000);

  it("leaves no program running after a worker timeout, inline and in a SIGKILLed child process", async () => {
    for (const isolation of ["inline", "process"]) {
      const pids = path.join(dir, `pids-${isolation}`);
      const result = await runLuigi(
        [
          "--module",
          PROGRAMS,
          "Hang",
          "--tag",
          isolation,
          "--worker-isolation",
          isolation,
          "--local-scheduler",
          "--no-lock",
        ],
        { cwd: dir, env: { ...env, PIDS: pids } },
      );
      expect(result.code, isolation).not.toBe(0);
      expect(result.stdout + result.stderr, isolation).toContain("timed out after 1 seconds");
      const all = pidsIn(pids);
      expect(all).toHaveLength(2);
      await until(
        `${isolation}: the program's group killed`,
        async () => all.every((p) => !alive(p)) || undefined,
      );
    }
  }, 60_000);

  it("kills the program when luigi is interrupted (SIGINT), and again at a second SIGINT in a child process", async () => {
    for (const [isolation, signals] of [
      ["inline", 1],
      ["process", 2],
    ] as const) {
      const pids = path.join(dir, `pids-int-${isolation}`);
      const child = startLuigi(
        [
          "--module",
          PROGRAMS,
          "Hang",
          "--tag",
          `int-${isolation}`,
          "--step-timeout",
          "600",
          "--worker-isolation",
          isolation,
          "--local-scheduler",
          "--no-lock",
        ],
        { cwd: dir, env: { ...env, PIDS: pids } },
      );
      const done = collect(child);
      const all = await until(`${isolation}: the program started`, () => {
        try {
          const found = pidsIn(pids);
          return Promise.resolve(found.length === 2 ? found : undefined);
        } catch {
          return Promise.resolve(undefined);
        }
      });
      for (let i = 0; i < signals; i++) {
        child.kill("SIGINT");
        await new Promise((r) => setTimeout(r, 100));
      }
      const result = await done;
      expect(result.code, isolation).not.toBe(0);
      await until(
        `${isolation}: the program's group killed`,
        async () => all.every((p) => !alive(p)) || undefined,
      );
    }
  }, 60_000);
});
