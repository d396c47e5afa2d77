// ExternalProgramStep over SSH against a real sshd, started by this file on an ephemeral loopback port
// with keys made for it (ssh-keygen) in a temporary directory: the argv arrives word for word (quotes,
// spaces, `$`, `;` read by no shell), the environment and working directory are applied remotely, the
// output lands in the step's log, and a failure, a program missing on the host, a refused connection
// and a timeout each give their error. Skipped where OpenSSH's server is not installed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ErrorCode,
  ExternalProgramError,
  ExternalProgramStep,
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  Worker,
  type RemoteContext,
} from "../../src/index.js";
import { until } from "../helpers/wait.js";

const SSHD = "/usr/sbin/sshd";
const haveSsh = existsSync(SSHD) && spawnSync("ssh", ["-V"]).status === 0;

/** A free loopback port (closed again at once: sshd binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Sshd {
  child: ChildProcess;
  port: number;
  keyFile: string;
  dir: string;
}

/** sshd in the foreground (-D), logging to stderr (-e), with a config and keys of its own. */
async function startSshd(): Promise<Sshd> {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "luigi-ts-sshd-")));
  for (const name of ["host_key", "client_key"]) {
    const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, name)]);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr.toString()}`);
  }
  copyFileSync(path.join(dir, "client_key.pub"), path.join(dir, "authorized_keys"));
  // Run as root, sshd wants its privilege separation directory (a package install makes it at boot).
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const config = path.join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(dir, "host_key")}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        "PidFile none",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "StrictModes no",
        "UsePAM no",
        "",
      ].join("\n"),
    );
    const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let output = "";
    const up = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      child.stderr?.on("data", (d: Buffer) => {
        output += d.toString();
        if (output.includes("Server listening on")) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (up) return { child, port, keyFile: path.join(dir, "client_key"), dir };
    child.kill("SIGKILL");
    // Another process took the port between freePort() and sshd's bind: try another.
    if (tries >= 3) throw new Error(`sshd did not start:\n${output}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const SKIPPED = haveSsh ? "" : ` (skipped: no ${SSHD} or ssh client; apt-get install openssh-server)`;

describe.skipIf(!haveSsh)(`ExternalProgramStep over SSH (a real sshd on loopback)${SKIPPED}`, () => {
  let sshd: Sshd;
  let remote: RemoteContext;
  beforeAll(async () => {
    sshd = await startSshd();
    remote = {
      host: "127.0.0.1",
      port: sshd.port,
      user: userInfo().username,
      keyFile: sshd.keyFile,
      noHostKeyCheck: true,
      connectTimeout: 5,
    };
  }, 30_000);
  afterAll(() => {
    sshd?.child.kill("SIGTERM");
  });
  beforeEach(() => {
    MemoryTarget.clearAll();
    setActiveConfig(LuigiConfig.fromString("", "cfg"));
  });

  /** Runs `argv` on the host, with `env` and `cwd`. */
  const remoteStep = (
    name: string,
    argv: string[],
    options: {
      env?: Record<string, string | undefined>;
      cwd?: string;
      timeout?: number;
      to?: RemoteContext;
    } = {},
  ): ExternalProgramStep => {
    class Remote extends ExternalProgramStep.with({ name: param.str() }) {
      override timeout = options.timeout ?? null;
      override killGrace = 1;
      output() {
        return new MemoryTarget(`remote-${this.name}`);
      }
      program() {
        return argv;
      }
      override environment() {
        return options.env ?? {};
      }
      override workingDirectory() {
        return options.cwd;
      }
      override remote() {
        return options.to ?? remote;
      }
    }
    Object.defineProperty(Remote, "stepFamily", { value: `Remote_${name}` });
    return new Remote({ name });
  };

  async function failureOf(step: ExternalProgramStep): Promise<ExternalProgramError> {
    const err = await step.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExternalProgramError);
    return err as ExternalProgramError;
  }

  it("runs the argv word for word on the host, with its environment and directory, output in the step log", async () => {
    const words = ["a b", "it's", "$HOME", "; echo injected", "`id`", '"quoted"', "back\\slash", "*"];
    process.env.LUIGI_TS_LOCAL_ONLY = "not sent";
    const step = remoteStep(
      "words",
      [
        "sh",
        "-c",
        'printf "[%s]\\n" "$@"; echo "env [$GREETING] [${LUIGI_TS_LOCAL_ONLY-unset}] [${HOME:+home}]"; pwd; echo err >&2',
        "sh",
        ...words,
      ],
      { env: { GREETING: "it's $x; `y`" }, cwd: sshd.dir },
    );
    const scheduler = new LocalScheduler();
    const worker = new Worker({ scheduler });
    await worker.add([step]);
    expect(await worker.run()).toBe(true);
    const log = await scheduler.stepLog({ task_id: step.id });
    const lines = log?.text.split("\n").filter(Boolean) ?? [];
    expect(lines[0]).toMatch(
      new RegExp(`INFO: running on ${remote.user}@127\\.0\\.0\\.1:${sshd.port}: sh -c `),
    );
    expect(lines.filter((l) => l !== "err").slice(1)).toEqual([
      ...words.map((w) => `[${w}]`),
      "env [it's $x; `y`] [unset] [home]",
      sshd.dir,
    ]);
    expect(lines).toContain("err");
  }, 30_000);

  it("fails with the remote exit code and stderr tail, and names a program missing on the host", async () => {
    const failed = await failureOf(remoteStep("exit5", ["sh", "-c", "echo remote trouble >&2; exit 5"]));
    expect(failed.code).toBe(ErrorCode.EXTERNAL_PROGRAM_FAILED);
    expect(failed.exitCode).toBe(5);
    expect(failed.details.host).toBe("127.0.0.1");
    expect(failed.message).toBe(
      `program on ${remote.user}@127.0.0.1:${sshd.port} exited with code 5: sh -c 'echo remote trouble >&2; exit 5'\nits last line on stderr:\n  remote trouble`,
    );
    const missing = await failureOf(remoteStep("missing", ["luigi-ts-no-such-program", "x"]));
    expect(missing.code).toBe(ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND);
    expect(missing.message).toMatch(
      /was not found on the host \(exit code 127\): luigi-ts-no-such-program x/,
    );
    const noDir = await failureOf(remoteStep("nodir", ["true"], { cwd: "/nonexistent/dir" }));
    expect(noDir.exitCode).not.toBe(0);
    expect(noDir.message).toMatch(/nonexistent/);
  }, 30_000);

  it("says ssh failed when nothing listens, with ssh's own words", async () => {
    const closed = await freePort();
    const err = await failureOf(remoteStep("refused", ["true"], { to: { ...remote, port: closed } }));
    expect(err.exitCode).toBe(255);
    expect(err.message).toMatch(/ssh exited with code 255/);
    expect(err.message).toMatch(/Connection refused/);
  }, 30_000);

  it("kills the remote program and its group when the timeout passes, through a second connection", async () => {
    const pids = path.join(sshd.dir, "remote-pids");
    const started = performance.now();
    const err = await failureOf(
      remoteStep("slow", ["sh", "-c", `sleep 30 & echo "$$ $!" > ${pids}; wait`], { timeout: 1 }),
    );
    expect(err.code).toBe(ErrorCode.EXTERNAL_PROGRAM_TIMEOUT);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The host is this machine: the remote shell and its sleep can be looked at from here.
    const [shell, sleeper] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
    await until(
      "the remote group killed",
      async () => (!alive(shell as number) && !alive(sleeper as number)) || undefined,
    );
    expect(alive(sshd.child.pid as number)).toBe(true);
  }, 30_000);
});
