import { accessSync, closeSync, constants, openSync, readSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import type { StartVerdict } from "../types.js";

/** The first 16 bytes of every SQLite database file. */
const HEADER = "SQLite format 3\u0000";

/**
 * Whether SQLite can keep the history at `file`, checked on the file system without opening (so without
 * creating) anything. `createDirectory`: a missing directory will be created (luigid's default location,
 * beside the state file); otherwise it is a mistake in the URL, reported rather than created.
 */
export function checkSqliteFile(file: string, createDirectory: boolean): StartVerdict {
  if (file === ":memory:") return { kind: "ok" };
  const dir = path.dirname(file);
  const dirStat = statIfAny(dir);
  if (dirStat === undefined) {
    if (createDirectory) return { kind: "ok" };
    return refused(`the directory ${dir} does not exist (create it, or correct the path)`);
  }
  if (!dirStat.isDirectory()) return refused(`${dir} is not a directory`);
  try {
    // SQLite writes its -wal and -shm files beside the database.
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return refused(`the directory ${dir} is not writable by this user`);
  }
  const fileStat = statIfAny(file);
  if (fileStat === undefined) return { kind: "ok" };
  if (!fileStat.isFile()) return refused(`${file} is not a file`);
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch {
    return refused(`${file} is not readable and writable by this user`);
  }
  // An empty file is one SQLite turns into a database; anything else must start with its header.
  if (fileStat.size > 0 && readHeader(file) !== HEADER) {
    return refused(`${file} is not a SQLite database`);
  }
  return { kind: "ok" };
}

function refused(why: string): StartVerdict {
  return { kind: "refused", why };
}

/** The path's stats, or undefined when it (or a directory on the way) does not exist. */
function statIfAny(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

function readHeader(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(HEADER.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString("latin1", 0, n);
  } finally {
    closeSync(fd);
  }
}
