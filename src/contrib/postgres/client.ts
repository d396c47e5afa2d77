import type pg from "pg";
import { postgresConfig } from "../../config/stores.js";
import { ErrorCode, LuigiError, TargetError } from "../../errors.js";
import { requireOptional } from "../../loader/optional-package.js";
import { activeConfig } from "../../step/context.js";
import { shownUrl } from "../shared/mask.js";
import type { PostgresClient } from "./hook-client.js";

/**
 * Connections for luigi-ts/postgres: one small pool per URL, made on first use and shared by every
 * target and step of the process (a scheduling walk asks many markers; a connection each would cost a
 * handshake each). Idle connections never keep the process alive (`allowExitOnIdle`).
 */

const FOR_WHAT = "luigi-ts/postgres";
const pools = new Map<string, pg.Pool>();

/** The URL in force: the one given, else `[postgres] url`, else "" (libpq's PG* environment variables). */
export function postgresUrl(given: string | undefined): string {
  return given ?? postgresConfig(activeConfig()).url;
}

/** The marker table in force: the one given, else `[postgres] marker_table` (table_updates). */
export function markerTableName(given: string | undefined): string {
  return given ?? postgresConfig(activeConfig()).marker;
}

function poolFor(url: string): pg.Pool {
  let pool = pools.get(url);
  if (pool === undefined) {
    const { Pool } = requireOptional<typeof pg>("pg", FOR_WHAT);
    // No connection string: node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, ... as libpq.
    pool = new Pool({ ...(url === "" ? {} : { connectionString: url }), max: 4, allowExitOnIdle: true });
    // An idle connection the server drops must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    pools.set(url, pool);
  }
  return pool;
}

/** How messages show where they connected, never with the password. */
export function shownPostgres(url: string): string {
  return `PostgreSQL ${shownUrl(url, "(PG* environment variables)")}`;
}

/** The SQLSTATE of a driver error (42P01 undefined_table, ...), if it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The SQLSTATEs of a CREATE TABLE that another session's CREATE of the same table beat: PostgreSQL names
 * the duplicate by what it met first, the table (42P07, duplicate_table), its catalog row (23505, when
 * it waited for the winner's commit), or the table's row type (42710, 'type "t" already exists', when
 * the winner had committed before). CREATE TABLE IF NOT EXISTS is not safe against that race either.
 */
const LOST_CREATE_RACE = new Set(["42P07", "23505", "42710"]);

/** Whether `err` is a CREATE TABLE's that lost the race to another session creating the same table. */
export function lostCreateRace(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && LOST_CREATE_RACE.has(state);
}

/** A driver error as a TargetError saying what was being done, where (password masked) and the server's words. */
export function postgresError(err: unknown, url: string, action: string): LuigiError {
  if (err instanceof LuigiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  return new TargetError(ErrorCode.TARGET_IO, `${shownPostgres(url)}: cannot ${action}: ${message}`, {
    cause: err,
    details: { store: "postgres", action, ...(state !== undefined ? { sqlState: state } : {}) },
  });
}

/**
 * Runs `fn` with a connection of the pool for `url`. A connection that failed is discarded rather than
 * handed to the next caller in an unknown state.
 */
export async function withConnection<T>(url: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await poolFor(url).connect();
  } catch (err) {
    throw postgresError(err, url, "connect");
  }
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The connection as hooks see it: queries only (no release, no pg types in luigi-ts's API). */
export function hookClient(client: pg.PoolClient): PostgresClient {
  return { query: (text, values) => client.query(text, values === undefined ? undefined : [...values]) };
}

/** Ends every pool (see close.ts). */
export async function endPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end()));
}
