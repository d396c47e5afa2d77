/**
 * Running an argv on another host through the system's `ssh` client, as Luigi's `RemoteContext`
 * (luigi.contrib.ssh) does: no prompts (BatchMode), no shared connection (ControlMaster=no), and the
 * user's own ~/.ssh/config, agent and known hosts. The remote side gets one command line for its login
 * shell, every word single-quoted, so that nothing in the argv, the environment or the directory is
 * read by a shell: `exec /bin/sh -c 'echo luigi-ts-remote-pid $$ >&2; cd '\''/dir'\'' && exec env ...'`.
 *
 * Where luigi-ts differs from Luigi: a stop (a timeout, the worker interrupted) kills the remote program
 * too, through a second connection, since without a terminal nothing tells it its ssh client is gone.
 */
import { ErrorCode, StepDefinitionError } from "../errors.js";

/** Where and how to reach a host (Luigi's RemoteContext). */
export interface RemoteContext {
  /** The host name or address. */
  host: string;
  /** The remote user (default: ssh's, from ~/.ssh/config or the local user). */
  user?: string;
  /** The port (default: ssh's, 22 unless ~/.ssh/config says otherwise). */
  port?: number;
  /** A private key file (`ssh -i`); default: ssh's own keys and agent. */
  keyFile?: string;
  /** Seconds to wait for the connection (`ConnectTimeout`); default: the system's TCP timeout. */
  connectTimeout?: number;
  /**
   * Do not check the host key (Luigi's `no_host_key_check`: `StrictHostKeyChecking=no` with
   * `UserKnownHostsFile=/dev/null`). Default false: the host must be in known_hosts.
   */
  noHostKeyCheck?: boolean;
  /** More `-o` options, each `Name=value` (`["ServerAliveInterval=30"]`). Default none. */
  sshOptions?: readonly string[];
  /** The ssh client to run (default `ssh`, looked up in PATH). */
  sshBinary?: string;
}

/** The word `text`, quoted for a POSIX shell: single quotes, each `'` as `'\''`. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a remote context and gives it in its normal form; a bad field is named. */
export function checkRemote(given: RemoteContext | string, family: string): RemoteContext {
  const remote: RemoteContext = typeof given === "string" ? parseHost(given) : given;
  const bad = (field: string, expected: string): never => {
    throw new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${family}.remote(): ${field} must be ${expected}`,
      { details: { family, field } },
    );
  };
  if (typeof remote.host !== "string" || remote.host === "" || remote.host.startsWith("-"))
    bad("host", "a host name (not empty, not starting with '-')");
  if (remote.user !== undefined && (typeof remote.user !== "string" || !/^[^\s@-][^\s@]*$/.test(remote.user)))
    bad("user", "a user name (no spaces, no '@', not starting with '-')");
  if (remote.port !== undefined && !(Number.isInteger(remote.port) && remote.port > 0 && remote.port < 65536))
    bad("port", "an integer from 1 to 65535");
  if (
    remote.connectTimeout !== undefined &&
    !(Number.isInteger(remote.connectTimeout) && remote.connectTimeout > 0)
  )
    bad("connectTimeout", "a whole number of seconds above 0");
  if (remote.keyFile !== undefined && (typeof remote.keyFile !== "string" || remote.keyFile === ""))
    bad("keyFile", "a path");
  for (const option of remote.sshOptions ?? [])
    if (typeof option !== "string" || !/^[A-Za-z]+[= ]/.test(option))
      bad("sshOptions", "a list of 'Name=value'");
  return remote;
}

/** `user@host` or `host`. */
function parseHost(text: string): RemoteContext {
  const at = text.lastIndexOf("@");
  return at > 0 ? { host: text.slice(at + 1), user: text.slice(0, at) } : { host: text };
}

/**
 * The first line the remote side prints on stderr: the pid of the program (the shell that reports it
 * then execs it), so that a stop can kill it through a second connection. Read and dropped, never shown.
 */
export const REMOTE_PID_MARKER = "luigi-ts-remote-pid";

/**
 * The line the remote login shell runs: `/bin/sh` (whatever the login shell, which only has to read
 * POSIX single quotes and `exec`), which reports its pid, enters the directory, sets the environment
 * and becomes the program, each word quoted.
 */
export function remoteCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string | undefined,
  family: string,
): string {
  // `env -u NAME` options before the `NAME=value` words: after one, env reads the rest as the command.
  const unset: string[] = [];
  const set: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      throw new StepDefinitionError(
        ErrorCode.STEP_DEFINITION,
        `${family}.environment(): '${name}' is not a variable name a remote shell accepts ([A-Za-z_][A-Za-z0-9_]*)`,
        { details: { family, variable: name } },
      );
    }
    if (value === undefined) unset.push(`-u ${name}`);
    else set.push(shellQuote(`${name}=${value}`));
  }
  const words = [...unset, ...set];
  // `env` rather than `export`: `-u` removes a variable, and a name is checked by env, not a shell.
  const run = `exec ${words.length > 0 ? `env ${words.join(" ")} ` : ""}${argv.map(shellQuote).join(" ")}`;
  const script = `echo ${REMOTE_PID_MARKER} $$ >&2; ${cwd === undefined ? run : `cd ${shellQuote(cwd)} && ${run}`}`;
  return `exec /bin/sh -c ${shellQuote(script)}`;
}

/**
 * The line that stops remote program `pid`: SIGTERM to its process group (sshd makes each session's
 * process a group leader) or, failing that, to it alone; SIGKILL `grace` seconds later if still there.
 */
export function remoteKillCommand(pid: number, grace: number): string {
  const kill = (signal: string): string =>
    `kill -${signal} -${pid} 2>/dev/null || kill -${signal} ${pid} 2>/dev/null`;
  const script = `${kill("TERM")}; i=0; while [ $i -lt ${Math.ceil(grace * 10)} ] && kill -0 ${pid} 2>/dev/null; do sleep 0.1; i=$((i+1)); done; ${kill("KILL")}; true`;
  return `exec /bin/sh -c ${shellQuote(script)}`;
}

/** The local argv that runs `command` on the remote host. */
export function sshArgv(remote: RemoteContext, command: string): string[] {
  const args = [remote.sshBinary ?? "ssh", "-o", "BatchMode=yes", "-o", "ControlMaster=no"];
  if (remote.port !== undefined) args.push("-p", String(remote.port));
  if (remote.user !== undefined) args.push("-l", remote.user);
  if (remote.keyFile !== undefined) args.push("-i", remote.keyFile);
  if (remote.connectTimeout !== undefined) args.push("-o", `ConnectTimeout=${remote.connectTimeout}`);
  if (remote.noHostKeyCheck === true)
    args.push("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR");
  for (const option of remote.sshOptions ?? []) args.push("-o", option);
  // `--`: the host is never read as an option; what follows it is the remote command.
  args.push("--", remote.host, command);
  return args;
}

/** `user@host:port`, for messages. */
export function describeRemote(remote: RemoteContext): string {
  const who = remote.user !== undefined ? `${remote.user}@${remote.host}` : remote.host;
  return remote.port !== undefined ? `${who}:${remote.port}` : who;
}
