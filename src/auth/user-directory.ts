/**
 * The users luigid knows, as the users file says now. The file is polled (a stat every `pollMs`), not
 * watched: `luigid user add` replaces it by a rename, which an inotify watch on the old file would not
 * follow. A changed file that does not parse (an editor half-way through a save) leaves the users as they
 * were, and says so in the log once.
 */
import { stat } from "node:fs/promises";
import type { Logger } from "../log/logger.js";
import { tokenDigest } from "./passwords.js";
import { readUsersFile, type UserEntry, type Users } from "./users-file.js";

/** How often the file is checked for changes, in ms. Default 1,000. */
export const DEFAULT_USERS_POLL_MS = 1000;

export class UserDirectory {
  private users: Users;
  /** Token digest -> user name. */
  private tokens = new Map<string, string>();
  private stamp: string;
  private timer: NodeJS.Timeout | undefined;
  private failedStamp: string | undefined;
  private checking = false;
  private readonly listeners: (() => void)[] = [];
  /** Bumped at every reload: a verification that started before one must not be cached after it. */
  generation = 0;

  private constructor(
    readonly file: string,
    users: Users,
    stamp: string,
    private readonly logger: Logger | undefined,
  ) {
    this.users = users;
    this.stamp = stamp;
    this.index();
  }

  /** Reads the file (it must exist and parse: a bad file stops luigid's start). */
  static async open(file: string, logger?: Logger): Promise<UserDirectory> {
    const stamp = await stampOf(file);
    return new UserDirectory(file, readUsersFile(file), stamp ?? "", logger);
  }

  get size(): number {
    return this.users.size;
  }

  user(name: string): UserEntry | undefined {
    return this.users.get(name);
  }

  /** The name of the user whose token this is. */
  userOfToken(token: string): string | undefined {
    return this.tokens.get(tokenDigest(token));
  }

  /** Called after every reload. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Starts polling the file. */
  watch(pollMs: number = DEFAULT_USERS_POLL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), pollMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the file if it changed since the last read. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const stamp = await stampOf(this.file);
      if (stamp === undefined) {
        if (this.failedStamp !== "missing") {
          this.failedStamp = "missing";
          this.logger?.error(
            { file: this.file },
            `the users file ${this.file} is gone; luigid keeps the ${this.users.size} users it read last`,
          );
        }
        return;
      }
      if (stamp === this.stamp || stamp === this.failedStamp) return;
      try {
        this.users = readUsersFile(this.file);
      } catch (err) {
        this.failedStamp = stamp;
        this.logger?.error(
          { file: this.file, err: (err as Error).message },
          `the users file changed but cannot be used (${(err as Error).message}); keeping the previous users`,
        );
        return;
      }
      this.stamp = stamp;
      this.failedStamp = undefined;
      this.index();
      this.generation++;
      this.logger?.info(
        { file: this.file, users: this.users.size },
        `users file re-read: ${this.users.size} users`,
      );
      for (const listener of this.listeners) listener();
    } finally {
      this.checking = false;
    }
  }

  private index(): void {
    this.tokens = new Map();
    for (const [name, entry] of this.users) if (entry.token) this.tokens.set(entry.token.hash, name);
  }
}

/** What changes when the file is replaced or edited: inode (a rename), size and times. */
async function stampOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}
