/**
 * Authorization headers already verified, so that scrypt is paid once per credential, not per request:
 * a worker sends the same basic-auth header with every call, thousands a second. Keyed by the header's
 * SHA-256 (the cache never holds a password), bounded (least recently used out first), and emptied
 * whenever the users file changes (a password may have changed, a user gone).
 */
import { createHash } from "node:crypto";

/** Headers kept at most. Default 1,024 (a worker fleet rarely has more distinct credentials). */
export const DEFAULT_VERIFIED_CACHE_SIZE = 1024;

export class VerifiedCache {
  private readonly entries = new Map<string, string>();

  constructor(readonly capacity: number = DEFAULT_VERIFIED_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  /** The user the header was verified as, if it was. */
  get(header: string): string | undefined {
    const k = digest(header);
    const user = this.entries.get(k);
    if (user !== undefined) {
      // Most recently used last.
      this.entries.delete(k);
      this.entries.set(k, user);
    }
    return user;
  }

  set(header: string, user: string): void {
    const k = digest(header);
    this.entries.delete(k);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(k, user);
  }

  clear(): void {
    this.entries.clear();
  }
}

function digest(header: string): string {
  return createHash("sha256").update(header, "utf8").digest("base64");
}
