/**
 * One luigid per state path. Two daemons on the same snapshot and journal would each replay, serve and
 * compact, and the later one's compaction would erase the steps the other acknowledged.
 *
 * The lock must be one that the kernel drops when the process dies, kill -9 included: a pid file left by
 * a crash would keep luigid from restarting, or be guessed stale and overruled. Node has no flock(2), so
 * the lock is SQLite's (better-sqlite3 is a dependency already): `<state>.lock` opened as a database in
 * `locking_mode = EXCLUSIVE` with a `BEGIN EXCLUSIVE` that is never committed holds a POSIX fcntl write
 * lock for the connection's life. SQLite also keeps track of its own locks inside one process, so a
 * second open in the same process is refused too. The file stays empty (the rollback journal is kept in
 * memory and nothing is ever written to the database).
 *
 * The holder's pid goes in a sidecar, `<state>.lock.pid`, written once the lock is held: it only names
 * the holder in the refusal, and a stale one is harmless, since the lock alone decides.
 *
 * The holder deletes both files when it lets go, so a stopped luigid, or one that failed to start,
 * leaves no files behind. Deleting a lock file races with a process that has just opened it (it would
 * lock a file no longer at the path, while a third creates a new one), so acquire() checks that the file
 * it locked is still the one at the path, and tries again if it is not.
 */
import { mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError, ErrorCode, LuigiError } from "../../errors.js";

/** Another process holds the state path. `details.statePath` and `details.pid` (when known) name it. */
export class StateLockedError extends LuigiError {
  constructor(statePath: string, pid: number | undefined) {
    const holder = pid === undefined ? "another process (its pid is not recorded yet)" : `pid ${pid}`;
    super(
      ErrorCode.ALREADY_RUNNING,
      `the state path ${statePath} is in use by another luigid (${holder}); ` +
        "stop it, or give this one another --state-path",
      { details: { statePath, ...(pid === undefined ? {} : { pid }) } },
    );
  }
}

/** A held lock on a state path. */
export class StateLock {
  private released = false;

  private constructor(
    /** The state path, absolute with symbolic links resolved: every spelling of one file gives the same. */
    readonly statePath: string,
    private readonly db: Database.Database,
  ) {}

  get lockPath(): string {
    return `${this.statePath}.lock`;
  }

  /** Takes the lock at once or throws StateLockedError; creates the state's folder if need be. */
  static acquire(statePath: string): StateLock {
    const resolved = resolveStatePath(statePath);
    const lockPath = `${resolved}.lock`;
    // Each retry follows a holder letting go at that very moment: a few suffice.
    let busy = 0;
    for (let attempt = 0; attempt < 20 + BUSY_RETRIES; attempt++) {
      const before = statOrUndefined(lockPath);
      const db = lockDatabase(lockPath, resolved);
      if (db === "busy") {
        // Held, or only touched for a moment by another luigid starting at the same time (its first
        // attempt, on a file it had just created, lets go at once): look again shortly, so that two
        // luigids started together cannot both give up.
        if (++busy > BUSY_RETRIES) throw new StateLockedError(resolved, holderPid(lockPath));
        sleepSync(10 + Math.floor(Math.random() * 30));
        continue;
      }
      const after = statOrUndefined(lockPath);
      if (before && after && before.dev === after.dev && before.ino === after.ino) {
        const lock = new StateLock(resolved, db);
        try {
          writeFileSync(`${lockPath}.pid`, `${process.pid}\n`);
        } catch (err) {
          lock.release();
          throw err;
        }
        return lock;
      }
      // Locked a file just created (it may be one a releaser deleted since) or no longer at the path.
      db.close();
    }
    throw new Error(`could not take the lock ${lockPath}: it kept being replaced`);
  }

  /** Deletes the lock files and lets go (idempotent). The files go first, while the lock still guards them. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      rmSync(`${this.lockPath}.pid`, { force: true });
      rmSync(this.lockPath, { force: true });
    } finally {
      this.db.close();
    }
  }
}

/** Absolute, with links resolved (for a file not there yet, its folder's), so spellings of one path agree. */
function resolveStatePath(statePath: string): string {
  const absolute = path.resolve(statePath);
  let resolved: string;
  try {
    resolved = realpathSync(absolute);
  } catch {
    const dir = path.dirname(absolute);
    mkdirSync(dir, { recursive: true });
    resolved = path.join(realpathSync(dir), path.basename(absolute));
  }
  if (statOrUndefined(resolved)?.isDirectory()) {
    throw new ConfigError(`state_path ${statePath} is a directory: give the state file's name`, {
      section: "scheduler",
      key: "state_path",
    });
  }
  return resolved;
}

/** Looks at a busy lock this many times (10–40 ms apart) before saying another luigid holds it. */
const BUSY_RETRIES = 8;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The lock taken on `lockPath`, or "busy" when another connection holds (or touches) it. */
function lockDatabase(lockPath: string, statePath: string): Database.Database | "busy" {
  let db: Database.Database;
  try {
    // timeout 0: a held lock is reported at once, not waited for.
    db = new Database(lockPath, { timeout: 0 });
  } catch (err) {
    throw new Error(`could not open the lock file ${lockPath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma("journal_mode = MEMORY");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return "busy";
    if (code === "SQLITE_NOTADB") {
      throw new Error(
        `${lockPath} is not luigid's lock file (luigid's is empty): delete it if no luigid uses ${statePath}`,
      );
    }
    throw new Error(`could not take the lock ${lockPath}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The pid in the sidecar, once it names a live process: a holder that has just taken the lock may not
 * have written it yet, and one killed earlier may have left its own. Waits a moment (1 s at most) for
 * that, then gives up on naming it.
 */
function holderPid(lockPath: string): number | undefined {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 50; attempt++) {
    const pid = readPid(`${lockPath}.pid`);
    if (pid !== undefined && pidAlive(pid)) return pid;
    Atomics.wait(pause, 0, 0, 20);
  }
  return undefined;
}

/** The pid written in a file, if it holds one. */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
