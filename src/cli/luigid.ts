import { fork } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, describeThrown, UsageError } from "../errors.js";
import { loadConfig } from "../config/index.js";
import { createLogger, type Logger } from "../log/logger.js";
import { DailyFileStream } from "../log/daily-file.js";
import { startDaemon, type DaemonHandle } from "../server/daemon.js";
import { unknownConfigEntries } from "./config-check.js";

export const LUIGID_USAGE = `Usage: luigid [--port N] [--address IP] [--unix-socket PATH] [--state-path PATH]
              [--background] [--pidfile PATH] [--logdir DIR]

  --port N             TCP port (default 8082)
  --address IP         listen on this address only (default: every IPv4 and IPv6 address)
  --unix-socket PATH   listen on a Unix socket instead of TCP
  --state-path PATH    where the scheduler keeps its state (default: [scheduler] state_path)
  --background         detach from the terminal and keep running (logs go to --logdir)
  --pidfile PATH       refuse to start while the process named in PATH lives; write our pid there
  --logdir DIR         log to DIR/luigi-server.log, rotated daily (default /var/log/luigi with --background)
  --help               this text`;

interface LuigidFlags {
  port: number;
  address: string | undefined;
  unixSocket: string | undefined;
  statePath: string | undefined;
  background: boolean;
  pidfile: string | undefined;
  logdir: string | undefined;
  help: boolean;
}

export function parseLuigidArgs(argv: string[]): LuigidFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        address: { type: "string" },
        "unix-socket": { type: "string" },
        "state-path": { type: "string" },
        background: { type: "boolean" },
        pidfile: { type: "string" },
        logdir: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional argument.*$/s, "")}`);
  }
  const port = values.port === undefined ? 8082 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${values.port}: expected a port number from 0 to 65535`);
  }
  return {
    port,
    address: values.address,
    unixSocket: values["unix-socket"],
    statePath: values["state-path"],
    background: values.background ?? false,
    pidfile: values.pidfile,
    logdir: values.logdir,
    help: values.help ?? false,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Returns the pid of a live luigid named in the pidfile, if there is one. */
function runningPid(pidfile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidfile, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** `--background`: starts a detached copy of this command and returns once it listens (or failed). */
async function daemonize(argv: string[], flags: LuigidFlags, stderr: NodeJS.WritableStream): Promise<number> {
  const logdir = flags.logdir ?? "/var/log/luigi";
  mkdirSync(logdir, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 10);
  const out = openSync(path.join(logdir, `luigi-server-${stamp}.out`), "a");
  const err = openSync(path.join(logdir, `luigi-server-${stamp}.err`), "a");
  const script = process.argv[1] ?? "";
  const child = fork(
    script,
    argv.filter((a) => a !== "--background"),
    {
      detached: true,
      stdio: ["ignore", out, err, "ipc"],
      env: { ...process.env, LUIGID_DAEMON_CHILD: "1", LUIGID_LOGDIR: logdir },
    },
  );
  const verdict = await new Promise<{ ok: boolean; message: string }>((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, message: "luigid did not report that it listens within 15 s" }),
      15_000,
    );
    child.on("message", (m: { ready?: boolean; error?: string; address?: string }) => {
      clearTimeout(timer);
      resolve(
        m.ready
          ? { ok: true, message: `luigid running in the background (pid ${child.pid}) on ${m.address}` }
          : { ok: false, message: m.error ?? "luigid failed to start" },
      );
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `luigid exited during start-up with code ${code} (see ${logdir})` });
    });
  });
  child.removeAllListeners();
  if (child.connected) child.disconnect();
  child.unref();
  stderr.write(`luigid: ${verdict.message}\n`);
  return verdict.ok ? 0 : 1;
}

/** `luigid`: returns the exit code once the daemon stops (or at once for --background). */
export async function luigidMain(
  argv: string[],
  io = { stderr: process.stderr as NodeJS.WritableStream },
): Promise<number> {
  let flags: LuigidFlags;
  try {
    flags = parseLuigidArgs(argv);
  } catch (err) {
    io.stderr.write(`luigid: ${(err as Error).message}\n${LUIGID_USAGE}\n`);
    return 2;
  }
  if (flags.help) {
    io.stderr.write(`${LUIGID_USAGE}\n`);
    return 0;
  }
  if (flags.pidfile) {
    const other = runningPid(flags.pidfile);
    if (other !== undefined) {
      io.stderr.write(`luigid: Server already running (pid ${other}, from ${flags.pidfile})\n`);
      return 1;
    }
  }
  const isDaemonChild = process.env.LUIGID_DAEMON_CHILD === "1";
  if (flags.background && !isDaemonChild) return daemonize(argv, flags, io.stderr);

  const logdir = flags.logdir ?? (isDaemonChild ? process.env.LUIGID_LOGDIR : undefined);
  let logger: Logger;
  let logFile: DailyFileStream | undefined;
  if (logdir) {
    logFile = new DailyFileStream(logdir);
    logger = createLogger({ format: "json", level: "info", stream: logFile });
  } else {
    logger = createLogger({ level: "info" });
  }

  let handle: DaemonHandle;
  try {
    const config = loadConfig();
    for (const warning of unknownConfigEntries(config)) config.warn(warning);
    for (const warning of config.warnings) logger.warn(warning);
    handle = await startDaemon({
      config,
      logger,
      port: flags.port,
      address: flags.address,
      unixSocket: flags.unixSocket,
      statePath: flags.statePath,
    });
  } catch (err) {
    const message =
      err instanceof ConfigError || err instanceof UsageError ? err.message : describeThrown(err).message;
    logger.error({ err: message }, "luigid could not start");
    io.stderr.write(`luigid: could not start: ${message}\n`);
    process.send?.({ error: message });
    logFile?.end();
    return 1;
  }
  if (flags.pidfile) {
    mkdirSync(path.dirname(path.resolve(flags.pidfile)), { recursive: true });
    writeFileSync(flags.pidfile, `${process.pid}\n`);
  }
  process.send?.({ ready: true, address: handle.address });
  if (process.connected) process.disconnect();

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "stopping: draining connections and saving state");
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    process.once("SIGQUIT", stop);
  });
  try {
    await handle.close();
  } catch (err) {
    logger.error({ err: describeThrown(err).message }, "error while stopping");
  }
  if (flags.pidfile && runningPid(flags.pidfile) === undefined) rmSync(flags.pidfile, { force: true });
  logger.info("stopped");
  logFile?.end();
  return 0;
}
