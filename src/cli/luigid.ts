import { fork } from "node:child_process";
import { mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, describeThrown, UsageError } from "../errors.js";
import { closestName } from "./closest-name.js";
import { packageVersion } from "./version.js";
import { loadConfig } from "../config/index.js";
import { createLogger, type Logger } from "../log/logger.js";
import { DailyFileStream } from "../log/daily-file.js";
import { pidAlive, readPid } from "../scheduler/persistence/state-lock.js";
import { startDaemon, type DaemonHandle } from "../server/daemon.js";
import { unknownConfigEntries } from "./config-check.js";
import { luigidUserMain } from "./luigid-user.js";

export const LUIGID_USAGE = `Usage: luigid [--port N] [--address IP] [--unix-socket PATH] [--state-path PATH]
              [--certfile PATH --keyfile PATH] [--background] [--pidfile PATH] [--logdir DIR] [--version]

  --port N             TCP port (default 8082)
  --address IP         listen on this address only (default: every IPv4 and IPv6 address)
  --unix-socket PATH   listen on a Unix socket instead of TCP
  --state-path PATH    where the scheduler keeps its state (default: [scheduler] state_path;
                       [scheduler] state_url = postgresql://... keeps it in PostgreSQL instead)
  --certfile PATH      serve HTTPS with this certificate chain (PEM; default: [scheduler] certfile)
  --keyfile PATH       the certificate's private key (PEM; default: [scheduler] keyfile)
  --background         detach from the terminal and keep running (logs go to --logdir)
  --pidfile PATH       refuse to start while the process named in PATH lives; write our pid there
  --logdir DIR         log to DIR/luigi-server.log, rotated daily (default /var/log/luigi with --background)
  --version            print luigi-ts's version
  -h, --help           this text

       luigid user add|remove|list ...   keep the users file of [auth] (luigid user --help)`;

const LUIGID_OPTIONS = {
  port: { type: "string" },
  address: { type: "string" },
  "unix-socket": { type: "string" },
  "state-path": { type: "string" },
  certfile: { type: "string" },
  keyfile: { type: "string" },
  background: { type: "boolean" },
  pidfile: { type: "string" },
  logdir: { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

interface LuigidFlags {
  port: number;
  address: string | undefined;
  unixSocket: string | undefined;
  statePath: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  background: boolean;
  pidfile: string | undefined;
  logdir: string | undefined;
  version: boolean;
  help: boolean;
}

export function parseLuigidArgs(argv: string[]): LuigidFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: LUIGID_OPTIONS,
    }));
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    throw new UsageError(unknown === undefined ? message : `unknown flag ${unknown}${suggestFlag(unknown)}`);
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
    certFile: values.certfile,
    keyFile: values.keyfile,
    background: values.background ?? false,
    pidfile: values.pidfile,
    logdir: values.logdir,
    version: values.version ?? false,
    help: values.help ?? false,
  };
}

/** " (did you mean --state-path?)" for a flag close enough to a known one, else "". */
function suggestFlag(flag: string): string {
  const meant = closestName(flag.replace(/^-+/, ""), Object.keys(LUIGID_OPTIONS));
  return meant === undefined ? "" : ` (did you mean --${meant}?)`;
}

/** Returns the pid of a live luigid named in the pidfile, if there is one. */
function runningPid(pidfile: string): number | undefined {
  const pid = readPid(pidfile);
  return pid !== undefined && pid !== process.pid && pidAlive(pid) ? pid : undefined;
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

/** The first of SIGTERM, SIGINT and SIGQUIT. Signal listeners keep no process alive. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT", "SIGQUIT"] as const) process.once(signal, resolve);
  });
}

/** `luigid`: returns the exit code once the daemon stops (or at once for --background). */
export async function luigidMain(
  argv: string[],
  io: { stderr: NodeJS.WritableStream; stdout?: NodeJS.WritableStream } = {
    stderr: process.stderr,
    stdout: process.stdout,
  },
): Promise<number> {
  if (argv[0] === "user") return luigidUserMain(argv.slice(1), io);
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
  if (flags.version) {
    (io.stdout ?? process.stdout).write(`luigid (luigi-ts) ${packageVersion()}\n`);
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

  // Listened for before the start: a stop asked for the moment luigid says it listens (as a supervisor
  // or a test may) would otherwise kill it with the default action, before it saves its state.
  const stopped = stopSignal();
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
      certFile: flags.certFile,
      keyFile: flags.keyFile,
    });
  } catch (err) {
    const message =
      err instanceof ConfigError || err instanceof UsageError ? err.message : describeThrown(err).message;
    // Said once: on stderr, and in the log file as well when there is one.
    if (logFile) logger.error({ err: message }, "luigid could not start");
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

  const ended = await Promise.race([
    stopped.then((signal) => ({ signal, lost: undefined })),
    handle.lost.then((lost) => ({ signal: undefined, lost })),
  ]);
  if (ended.lost !== undefined) {
    // Another luigid serves (or will serve) the shared state: this one must not write again.
    logger.error({ reason: ended.lost }, `stopping: this luigid lost the lead (${ended.lost})`);
  } else {
    logger.info({ signal: ended.signal }, "stopping: draining connections and saving state");
  }
  try {
    await handle.close();
  } catch (err) {
    logger.error({ err: describeThrown(err).message }, "error while stopping");
  }
  if (flags.pidfile && runningPid(flags.pidfile) === undefined) rmSync(flags.pidfile, { force: true });
  logger.info("stopped");
  logFile?.end();
  return ended.lost !== undefined ? 3 : 0;
}
