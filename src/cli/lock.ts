import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";

/** Result of trying to take the process lock. */
export type LockResult =
  { acquired: true; pidFile: string } | { acquired: false; pidFile: string; holders: number[] };

/** Lock flags do not make another command: `--take-lock` must find the holders of the same command. */
const LOCK_FLAGS_WITH_VALUE = new Set(["--lock-size", "--lock-pid-dir"]);
const LOCK_FLAGS = new Set(["--take-lock", "--no-lock"]);

export function lockKey(args: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = arg.split("=")[0] as string;
    if (LOCK_FLAGS.has(name)) continue;
    if (LOCK_FLAGS_WITH_VALUE.has(name)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    kept.push(arg);
  }
  return kept.join(" ");
}

function commandLineOf(pid: number): string | undefined {
  try {
    return lockKey(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Luigi's process lock: at most `lockSize` processes with the same command line run at once on this
 * machine. The pid file is `<dir>/<md5 of the command line>.pid`, one pid per line; a pid counts only while
 * that process lives and still has the same command line (pids get reused).
 */
export function acquireProcessLock(options: {
  dir: string;
  lockSize: number;
  commandLine?: string;
  pid?: number;
  /** Signal the holders to phase out (SIGUSR1) and take the lock anyway. */
  takeLock?: boolean;
}): LockResult {
  const pid = options.pid ?? process.pid;
  const commandLine = options.commandLine ?? commandLineOf(pid) ?? lockKey(process.argv);
  const hash = createHash("md5").update(commandLine).digest("hex");
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(options.dir, `${hash}.pid`);
  let listed: number[] = [];
  try {
    listed = readFileSync(pidFile, "utf8")
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    listed = [];
  }
  const holders = listed.filter(
    (p) => p !== pid && isAlive(p) && (commandLineOf(p) ?? commandLine) === commandLine,
  );
  if (options.takeLock && holders.length >= options.lockSize) {
    // --take-lock: ask the holders to finish their running steps and stop (SIGUSR1), and run beside them.
    for (const holder of holders) {
      try {
        process.kill(holder, "SIGUSR1");
      } catch {
        // it exited meanwhile
      }
    }
  } else if (holders.length >= options.lockSize) {
    return { acquired: false, pidFile, holders };
  }
  const tmp = `${pidFile}.${pid}.tmp`;
  writeFileSync(tmp, [...holders, pid].join("\n") + "\n", { mode: 0o600 });
  renameSync(tmp, pidFile);
  return { acquired: true, pidFile };
}
