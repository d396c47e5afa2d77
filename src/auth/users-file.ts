/**
 * The users file (`[auth] users_file`): a versioned JSON document of users, each with a role and either a
 * password hash or a token hash, never a password or a token itself.
 *
 *   {"format": "luigi-ts/users", "version": 1, "users": {
 *     "alice":   {"role": "operator", "password": {"alg": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": "...", "hash": "..."}},
 *     "worker1": {"role": "worker", "token": {"alg": "sha256", "hash": "..."}}}}
 *
 * It is written whole, atomically (a temp file in the same folder, fsynced, renamed over the old one),
 * readable by its owner only (0600), so a luigid reading it at any moment sees the old or the new file.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { tempPathFor } from "../target/atomic.js";
import { SCRYPT_LIMITS, type ScryptHash, type TokenHash } from "./passwords.js";
import { isRole, ROLES, type Role } from "./roles.js";

export const USERS_FORMAT = "luigi-ts/users";
export const USERS_VERSION = 1;

export interface UserEntry {
  readonly role: Role;
  readonly password?: ScryptHash;
  readonly token?: TokenHash;
}

export type Users = ReadonlyMap<string, UserEntry>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/** Why `name` cannot be a user's name, or null when it can. A colon would break basic auth. */
export function userNameProblem(name: string): string | null {
  return NAME.test(name)
    ? null
    : `user name ${JSON.stringify(name)}: expected 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit)`;
}

/** The users in `file`; a missing file is an empty list when `missingOk`, else an error saying how to make one. */
export function readUsersFile(file: string, { missingOk = false } = {}): Map<string, UserEntry> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && missingOk) return new Map();
    const why =
      code === "ENOENT"
        ? `does not exist; create it with \`luigid user add NAME --role admin --users-file ${file}\``
        : `cannot be read (${(err as Error).message})`;
    throw new ConfigError(`[auth] users_file ${file} ${why}`, { key: "users_file", file });
  }
  return parseUsers(text, file);
}

export function parseUsers(text: string, file: string): Map<string, UserEntry> {
  const bad = (why: string): ConfigError =>
    new ConfigError(`users file ${file}: ${why}`, { key: "users_file", file });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(doc) || doc.format !== USERS_FORMAT) {
    throw bad(`not a luigi-ts users file (expected "format": "${USERS_FORMAT}")`);
  }
  if (doc.version !== USERS_VERSION) {
    throw bad(`version ${JSON.stringify(doc.version)} is not one this luigi-ts reads (${USERS_VERSION})`);
  }
  if (!isObject(doc.users)) throw bad(`"users" must be an object of name -> user`);
  const users = new Map<string, UserEntry>();
  for (const [name, raw] of Object.entries(doc.users)) {
    const problem = userNameProblem(name);
    if (problem) throw bad(problem);
    const where = (why: string): ConfigError => bad(`user ${name}: ${why}`);
    if (!isObject(raw)) throw where("expected an object with a role and a password or token");
    if (!isRole(raw.role)) throw where(`role ${JSON.stringify(raw.role)}: expected ${ROLES.join(", ")}`);
    const password = raw.password === undefined ? undefined : scryptHash(raw.password, where);
    const token = raw.token === undefined ? undefined : tokenHash(raw.token, where);
    if ((password === undefined) === (token === undefined))
      throw where("expected a password or a token (one)");
    users.set(name, { role: raw.role, ...(password ? { password } : {}), ...(token ? { token } : {}) });
  }
  return users;
}

/** Replaces `file` with `users`, atomically, mode 0600 (folders created). */
export function writeUsersFile(file: string, users: Users): void {
  const doc = {
    format: USERS_FORMAT,
    version: USERS_VERSION,
    users: Object.fromEntries([...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir))
    throw new ConfigError(`users file ${file}: the folder ${dir} does not exist`, { file });
  const temp = tempPathFor(file);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  try {
    const dfd = openSync(dir, "r");
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // some file systems cannot sync a folder: the rename is still atomic
  }
}

function scryptHash(raw: unknown, bad: (why: string) => ConfigError): ScryptHash {
  if (!isObject(raw) || raw.alg !== "scrypt") throw bad(`password: expected {"alg": "scrypt", ...}`);
  const { N, r, p, salt, hash } = raw;
  const int = (v: unknown, min: number, max: number): v is number =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
  if (!int(N, SCRYPT_LIMITS.minN, SCRYPT_LIMITS.maxN) || (N & (N - 1)) !== 0) {
    throw bad(`password: N must be a power of two from ${SCRYPT_LIMITS.minN} to ${SCRYPT_LIMITS.maxN}`);
  }
  if (!int(r, 1, SCRYPT_LIMITS.maxR)) throw bad(`password: r must be from 1 to ${SCRYPT_LIMITS.maxR}`);
  if (!int(p, 1, SCRYPT_LIMITS.maxP)) throw bad(`password: p must be from 1 to ${SCRYPT_LIMITS.maxP}`);
  if (!base64(salt, 8)) throw bad("password: salt must be base64 of at least 8 bytes");
  if (!base64(hash, 16)) throw bad("password: hash must be base64 of at least 16 bytes");
  return { alg: "scrypt", N, r, p, salt, hash };
}

function tokenHash(raw: unknown, bad: (why: string) => ConfigError): TokenHash {
  if (!isObject(raw) || raw.alg !== "sha256" || !base64(raw.hash, 32)) {
    throw bad(`token: expected {"alg": "sha256", "hash": <base64 of 32 bytes>}`);
  }
  return { alg: "sha256", hash: raw.hash };
}

function base64(value: unknown, minBytes: number): value is string {
  return (
    typeof value === "string" &&
    /^[A-Za-z0-9+/]+={0,2}$/.test(value) &&
    Buffer.from(value, "base64").length >= minBytes
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
