/**
 * `luigid user add|remove|list`: keeps the users file (`[auth] users_file`, or `--users-file PATH`). A
 * running luigid notices the new file within a second; nothing needs restarting.
 *
 * Passwords are read from stdin, never from the command line (where `ps` and the shell's history would
 * show them): asked for twice without echo on a terminal, else the first line of stdin.
 */
import { parseArgs } from "node:util";
import { hashPassword, hashToken, newToken } from "../auth/passwords.js";
import { isRole, ROLES } from "../auth/roles.js";
import { readUsersFile, userNameProblem, writeUsersFile, type UserEntry } from "../auth/users-file.js";
import { authConfig, loadConfig } from "../config/index.js";
import { ConfigError, describeThrown, UsageError } from "../errors.js";

export const LUIGID_USER_USAGE = `Usage: luigid user add NAME --role ROLE [--token] [--users-file PATH]
       luigid user remove NAME [--users-file PATH]
       luigid user list [--users-file PATH]

  add                 add NAME, or replace it, with ROLE: ${ROLES.join(", ")} (each includes the one
                      before); the password is read from stdin (asked for without echo on a terminal)
  --token             instead of a password, make a random token for NAME and print it, once: the worker
                      sends it as Authorization: Bearer TOKEN (LUIGI_SCHEDULER_TOKEN), or as the password
                      of basic auth (http://NAME:TOKEN@host:port/)
  remove              remove NAME
  list                the users, their roles and whether each has a password or a token
  --users-file PATH   the users file (default: [auth] users_file); created, mode 0600, if missing`;

/** Longest password accepted: scrypt takes any length, but a megabyte pasted by mistake is not one. */
const MAX_PASSWORD = 1024;

export interface UserCommandIo {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout?: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `luigid user ...`: returns the exit code (0 done, 1 failed, 2 bad usage). */
export async function luigidUserMain(argv: string[], io: UserCommandIo): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  try {
    const { values, positionals } = parsed(argv);
    const [command, name, ...extra] = positionals;
    if (values.help || command === undefined) {
      io.stderr.write(`${LUIGID_USER_USAGE}\n`);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0) throw badUsage(`unexpected argument ${extra[0]}`);
    const file = usersFile(values["users-file"]);
    if (command === "list") {
      if (name !== undefined) throw badUsage(`luigid user list takes no name (got ${name})`);
      const users = readUsersFile(file, { missingOk: true });
      if (users.size === 0) stdout.write(`no users in ${file}\n`);
      for (const [user, entry] of [...users].sort(([a], [b]) => (a < b ? -1 : 1))) {
        stdout.write(`${user}\t${entry.role}\t${entry.token ? "token" : "password"}\n`);
      }
      return 0;
    }
    if (command !== "add" && command !== "remove") {
      throw badUsage(`unknown command luigid user ${command}: expected add, remove or list`);
    }
    if (name === undefined) throw badUsage(`luigid user ${command} needs a user NAME`);
    const problem = userNameProblem(name);
    if (problem) throw new UsageError(problem);
    const users = readUsersFile(file, { missingOk: true });
    if (command === "remove") {
      if (!users.delete(name)) throw new UsageError(`no user ${name} in ${file}`);
      writeUsersFile(file, users);
      io.stderr.write(`luigid: removed ${name} from ${file}\n`);
      return 0;
    }
    const role = values.role;
    if (role === undefined) throw badUsage(`luigid user add needs --role (${ROLES.join(", ")})`);
    if (!isRole(role)) throw new UsageError(`--role ${role}: expected ${ROLES.join(", ")}`);
    let entry: UserEntry;
    let token: string | undefined;
    if (values.token) {
      token = newToken();
      entry = { role, token: hashToken(token) };
    } else {
      entry = { role, password: await hashPassword(await readPassword(name, io)) };
    }
    const replaced = users.has(name);
    users.set(name, entry);
    writeUsersFile(file, users);
    io.stderr.write(`luigid: ${replaced ? "replaced" : "added"} ${name} (${role}) in ${file}\n`);
    // The only time the token is shown: luigid keeps its hash.
    if (token !== undefined) stdout.write(`${token}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      const usage = err.details.usage === true ? `\n${LUIGID_USER_USAGE}` : "";
      io.stderr.write(`luigid user: ${err.message}${usage}\n`);
      return 2;
    }
    const message = err instanceof ConfigError ? err.message : describeThrown(err).message;
    io.stderr.write(`luigid user: ${message}\n`);
    return 1;
  }
}

/** A mistake in the command line itself: the usage is printed after it. */
function badUsage(message: string): UsageError {
  return new UsageError(message, { usage: true });
}

function parsed(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        role: { type: "string" },
        token: { type: "boolean" },
        "users-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw badUsage((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}

function usersFile(flag: string | undefined): string {
  if (flag !== undefined && flag !== "") return flag;
  const configured = authConfig(loadConfig()).usersFile;
  if (configured === "") {
    throw new UsageError("no users file: pass --users-file PATH or set [auth] users_file in luigi.cfg");
  }
  return configured;
}

async function readPassword(name: string, io: UserCommandIo): Promise<string> {
  const stdin = io.stdin ?? process.stdin;
  let password: string;
  if (stdin.isTTY && stdin.setRawMode) {
    password = await promptHidden(`Password for ${name}: `, stdin, io.stderr);
    const again = await promptHidden("Again: ", stdin, io.stderr);
    if (again !== password) throw new UsageError("the two passwords differ; nothing changed");
  } else {
    let text = "";
    stdin.setEncoding?.("utf8");
    for await (const chunk of stdin) {
      text += String(chunk);
      if (text.includes("\n") || text.length > MAX_PASSWORD + 2) break;
    }
    password = text.split(/\r?\n/, 1)[0] ?? "";
  }
  if (password === "") throw new UsageError(`no password for ${name} on stdin (or use --token)`);
  if (password.length > MAX_PASSWORD)
    throw new UsageError(`the password is longer than ${MAX_PASSWORD} characters`);
  return password;
}

/** One line from a terminal in raw mode, not echoed. Ctrl-C cancels. */
function promptHidden(
  prompt: string,
  stdin: NonNullable<UserCommandIo["stdin"]>,
  stderr: NodeJS.WritableStream,
): Promise<string> {
  // Raw (no echo) before the prompt shows: a fast typist, or a script, answers the moment it appears.
  stdin.setRawMode?.(true);
  stdin.setEncoding?.("utf8");
  stdin.resume();
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const finish = (error?: Error): void => {
      stdin.removeListener("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write("\n");
      if (error) reject(error);
      else resolve(chars.join(""));
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new UsageError("cancelled; nothing changed"));
        if (ch === "\u007f" || ch === "\b") chars = chars.slice(0, -1);
        else chars.push(ch);
      }
    };
    stdin.on("data", onData);
  });
}
