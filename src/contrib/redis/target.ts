import type { Target } from "../../target/target.js";
import { existsInBulkBy } from "../shared/bulk-exists.js";
import { markerPrefix, redisUrl, withRedis } from "./client.js";

export interface RedisTargetOptions {
  /** What identifies this update: the marker key is `<prefix>:<updateId>`. */
  updateId: string;
  /** Where to connect; default `[redis] url`, else REDIS_URL, else redis://localhost:6379. */
  url?: string;
  /** Seconds after which the marker disappears (and the step is due again); default never. */
  expire?: number;
  /** Default `[redis] marker_prefix` (luigi), as Luigi's marker-prefix. */
  markerPrefix?: string;
}

/**
 * A marker key in Redis (Luigi's RedisTarget): a hash `<prefix>:<update id>` holding `update_id` and
 * `date` (when it was marked, ISO 8601), with an optional expiry. It exists while the key does.
 *
 *     output() { return new RedisTarget({ updateId: `sales-${isoDay(this.day)}`, expire: 7 * 86400 }); }
 *     async run() { await publish(this.day); await this.output().touch(); }
 */
export class RedisTarget implements Target {
  readonly updateId: string;
  readonly expire: number | undefined;
  private readonly givenUrl: string | undefined;
  private readonly givenPrefix: string | undefined;

  constructor(opts: RedisTargetOptions) {
    if (opts.expire !== undefined && !(Number.isInteger(opts.expire) && opts.expire > 0)) {
      throw new RangeError(`RedisTarget expire = ${opts.expire}: expected whole seconds above 0`);
    }
    this.updateId = opts.updateId;
    this.expire = opts.expire;
    this.givenUrl = opts.url;
    this.givenPrefix = opts.markerPrefix;
  }

  get url(): string {
    return redisUrl(this.givenUrl);
  }

  /** `<prefix>:<update id>` (Luigi's marker_key()). */
  markerKey(): string {
    return `${markerPrefix(this.givenPrefix)}:${this.updateId}`;
  }

  async exists(): Promise<boolean> {
    const key = this.markerKey();
    return withRedis(this.url, `check the marker ${key}`, async (client) => (await client.exists(key)) === 1);
  }

  /**
   * Which of `targets` are marked, their EXISTS commands sent together per server (node-redis
   * pipelines the commands of one tick): what a range step's bulk check of a Redis-marked family asks.
   */
  static existsInBulk(targets: readonly RedisTarget[]): Promise<boolean[]> {
    return existsInBulkBy(
      targets,
      (t) => t.exists === RedisTarget.prototype.exists,
      (t) => t.url,
      (group) =>
        withRedis((group[0] as RedisTarget).url, "check the markers", (client) =>
          Promise.all(group.map(async (t) => (await client.exists(t.markerKey())) === 1)),
        ),
    );
  }

  /** Marks the update done: the hash and its expiry set in one MULTI, so a marker never outlives its expiry. */
  async touch(): Promise<void> {
    const key = this.markerKey();
    await withRedis(this.url, `set the marker ${key}`, async (client) => {
      const tx = client.multi().hSet(key, { update_id: this.updateId, date: new Date().toISOString() });
      await (this.expire !== undefined ? tx.expire(key, this.expire) : tx).exec();
    });
  }

  /** Deletes the marker, so the step runs again; no error when there is none. */
  async remove(): Promise<void> {
    const key = this.markerKey();
    await withRedis(this.url, `remove the marker ${key}`, async (client) => {
      await client.del(key);
    });
  }

  /** Luigi shows the marker key. */
  toString(): string {
    return this.markerKey();
  }
}
