/**
 * Password and token hashes. Passwords get scrypt (node:crypto), salted, with its cost parameters stored
 * beside each hash so that later versions can raise them without invalidating existing users. Tokens are
 * 256 random bits: nobody can guess one, so a fast hash (SHA-256) is as safe as a slow one there, and it
 * lets luigid find a token's user with one map lookup instead of an scrypt per user.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import type { BinaryLike, ScryptOptions } from "node:crypto";

export interface ScryptHash {
  readonly alg: "scrypt";
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** Base64. */
  readonly salt: string;
  /** Base64; its length is the key length. */
  readonly hash: string;
}

export interface TokenHash {
  readonly alg: "sha256";
  /** Base64 of SHA-256 of the token's text. */
  readonly hash: string;
}

/**
 * 2^15 x 8 x 1: 32 MiB and about 0.1 s per hash on a small VM. Paid at `luigid user add`, at a login and
 * at the first request with a new basic-auth header (later ones hit luigid's cache of verified headers).
 */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

/** The bounds a stored hash's parameters must respect (a hand-edited file cannot make luigid spin or swap). */
export const SCRYPT_LIMITS = { minN: 2 ** 10, maxN: 2 ** 20, maxR: 32, maxP: 16 } as const;

const TOKEN_PREFIX = "lt_";

function scrypt(
  password: BinaryLike,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function options(N: number, r: number, p: number): ScryptOptions {
  // Node refuses above 32 MiB by default; what a hash needs is 128 * N * r bytes.
  return { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
}

export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
): Promise<ScryptHash> {
  const salt = randomBytes(DEFAULT_SCRYPT.saltLength);
  const key = await scrypt(password, salt, DEFAULT_SCRYPT.keyLength, options(params.N, params.r, params.p));
  return {
    alg: "scrypt",
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString("base64"),
    hash: key.toString("base64"),
  };
}

export async function verifyPassword(password: string, stored: ScryptHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, "base64");
  const salt = Buffer.from(stored.salt, "base64");
  const key = await scrypt(password, salt, expected.length, options(stored.N, stored.r, stored.p));
  return timingSafeEqual(key, expected);
}

const DUMMY_SALT = randomBytes(DEFAULT_SCRYPT.saltLength);

/**
 * The work of a failed verification without a user to verify against: an unknown user costs as long as a
 * wrong password, so the answer's time does not tell which names exist.
 */
export async function dummyVerify(password: string): Promise<false> {
  const { N, r, p, keyLength } = DEFAULT_SCRYPT;
  await scrypt(password, DUMMY_SALT, keyLength, options(N, r, p));
  return false;
}

/** A new bearer token: `lt_` and 43 base64url characters (256 random bits). */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): TokenHash {
  return { alg: "sha256", hash: tokenDigest(token) };
}

/** The lookup key of a token: base64 of its SHA-256. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64");
}

/** Constant-time comparison of a presented token with a stored hash. */
export function tokenMatches(token: string, stored: TokenHash): boolean {
  const expected = Buffer.from(stored.hash, "base64");
  const actual = createHash("sha256").update(token, "utf8").digest();
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
