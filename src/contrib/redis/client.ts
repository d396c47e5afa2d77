import type * as redis from "redis";
import { redisConfig } from "../../config/stores.js";
import { ErrorCode, LuigiError, TargetError } from "../../errors.js";
import { requireOptional } from "../../loader/optional-package.js";
import { activeConfig } from "../../step/context.js";
import { maskUrl } from "../shared/mask.js";

/**
 * Connections for luigi-ts/redis, on node-redis (`redis`): one client per URL, connected on first use
 * and shared by every RedisTarget of the process. Its socket holds the process open only while a
 * command is in flight (ref'd then, unref'd when idle), so a finished program exits.
 */

/** A client with node-redis's defaults (its generic parameters as createClient infers them). */
type Client = ReturnType<typeof newClient>;

const FOR_WHAT = "luigi-ts/redis";
const DEFAULT_URL = "redis://localhost:6379";
const clients = new Map<string, { client: Client; ready: Promise<Client>; busy: number }>();

/** The URL in force: the one given, else `[redis] url`, else REDIS_URL, else redis://localhost:6379. */
export function redisUrl(given: string | undefined): string {
  const url = given ?? redisConfig(activeConfig()).url;
  return url !== "" ? url : (process.env["REDIS_URL"] ?? "") || DEFAULT_URL;
}

export function markerPrefix(given: string | undefined): string {
  return given ?? redisConfig(activeConfig()).marker;
}

export function shownRedis(url: string): string {
  return `Redis ${maskUrl(url)}`;
}

export function redisError(err: unknown, url: string, action: string): LuigiError {
  if (err instanceof LuigiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TargetError(ErrorCode.TARGET_IO, `${shownRedis(url)}: cannot ${action}: ${message}`, {
    cause: err,
    details: { store: "redis", action },
  });
}

function newClient(createClient: typeof redis.createClient, url: string) {
  return createClient({
    url,
    socket: {
      connectTimeout: 10_000,
      // A few quick retries, then the command fails instead of waiting for a server forever.
      reconnectStrategy: (retries: number, cause: Error) => (retries >= 3 ? cause : 100 * (retries + 1)),
    },
  });
}

function entryFor(url: string): { client: Client; ready: Promise<Client>; busy: number } {
  let entry = clients.get(url);
  if (entry === undefined) {
    const client = newClient(requireOptional<typeof redis>("redis", FOR_WHAT).createClient, url);
    // Without a listener a dropped connection would crash the process; the commands report failures.
    client.on("error", () => undefined);
    const ready = client.connect().then(() => client);
    entry = { client, ready, busy: 0 };
    clients.set(url, entry);
    // A connection that never came up is forgotten, so the next use tries again.
    ready.catch(() => {
      if (clients.get(url) === entry) clients.delete(url);
      client.destroy();
    });
  }
  return entry;
}

/** Runs `fn` on the client for `url`; failures become TargetErrors saying what was being done. */
export async function withRedis<T>(
  url: string,
  action: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  let entry: ReturnType<typeof entryFor>;
  try {
    entry = entryFor(url); // a malformed URL throws here, its text (password and all) in the error
  } catch (err) {
    throw redisError(err, url, action);
  }
  if (entry.busy++ === 0) entry.client.ref();
  try {
    return await fn(await entry.ready);
  } catch (err) {
    throw redisError(err, url, action);
  } finally {
    if (--entry.busy === 0 && entry.client.isOpen) entry.client.unref();
  }
}

/** Closes every client of luigi-ts/redis. */
export async function closeRedisConnections(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(
    all.map(async ({ client, ready }) => {
      if (
        await ready.then(
          () => true,
          () => false,
        )
      )
        await client.close();
    }),
  );
}
