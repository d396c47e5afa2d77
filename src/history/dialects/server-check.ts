/**
 * The start check of a database server (PostgreSQL, MySQL): one trivial query. An answer that refuses
 * the configuration (the dialect's `readRefusal` says which) stops luigid; no answer at all is an outage
 * that the writer rides out.
 */
import { sql, type Kysely } from "kysely";
import type { HistoryDatabase } from "../schema.js";
import type { ServerTarget } from "../url.js";
import type { StartVerdict } from "./types.js";

/** How long luigid's start waits for the server before it goes on without it (the writer keeps trying). */
export const START_CHECK_TIMEOUT_MS = 5_000;

/** What a refusal names: the server as "host:port", the user and the database. */
export interface ServerIdentity {
  readonly server: string;
  readonly user: string | undefined;
  readonly database: string;
}

/** The server's refusal in words that say what to fix, or undefined when the error is not one. */
export type RefusalReader = (err: unknown, id: ServerIdentity, said: string) => string | undefined;

export function serverIdentity(target: ServerTarget, defaultPort: number): ServerIdentity {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return { server: `${host}:${target.port ?? defaultPort}`, user: target.user, database: target.database };
}

export async function checkServer(
  db: Kysely<HistoryDatabase>,
  target: ServerTarget,
  id: ServerIdentity,
  readRefusal: RefusalReader,
): Promise<StartVerdict> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), START_CHECK_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([sql`SELECT 1`.execute(db).then(() => "ok" as const), timeout]);
    if (answer === "timeout") {
      return {
        kind: "unreachable",
        why: `${id.server} did not answer within ${START_CHECK_TIMEOUT_MS / 1000} s`,
      };
    }
    return { kind: "ok" };
  } catch (err) {
    const said = hidePassword(errorText(err), target.password);
    const refusal = readRefusal(err, id, said);
    return refusal === undefined
      ? { kind: "unreachable", why: `${id.server}: ${said}` }
      : { kind: "refused", why: refusal };
  } finally {
    clearTimeout(timer);
  }
}

/** `for user "u" ` when the URL names one (else the driver's default user was tried). */
export function forUser(id: ServerIdentity): string {
  return id.user === undefined ? "" : ` for user "${id.user}"`;
}

/** A driver's message; Node's connection errors to several addresses are an AggregateError without one. */
function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") {
    return [...new Set(err.errors.map(errorText))].join("; ");
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return err.message || (typeof code === "string" ? code : err.name);
  }
  return String(err);
}

/** Drivers do not echo passwords, but a message that did would reach the log: hide it whatever its length. */
function hidePassword(text: string, password: string | undefined): string {
  return password ? text.replaceAll(password, "***") : text;
}
