import type { Dialect, Kysely } from "kysely";
import type { HistoryDatabase } from "../schema.js";

/** What the rest of the history needs to know about a database beyond Kysely's dialect. */
export interface HistoryDialect {
  readonly name: "sqlite" | "postgres" | "mysql";
  readonly kysely: Dialect;
  /**
   * Whether the database can be used, asked once before luigid serves. Writes nothing: a start that
   * fails later leaves no file or table behind.
   */
  checkAtStart(db: Kysely<HistoryDatabase>): Promise<StartVerdict>;
}

/**
 * `refused`: the database answered and will not serve this configuration (no such database, bad
 * credentials, a SQLite path that cannot be used); retrying cannot help, so luigid stops. `unreachable`:
 * nothing answered yet (server down, network); the writer retries as for an outage.
 */
export type StartVerdict =
  | { readonly kind: "ok" }
  | { readonly kind: "refused"; readonly why: string }
  | { readonly kind: "unreachable"; readonly why: string };

/** Reports driver-level errors that happen outside any query (an idle connection dropped). */
export type DriverErrorSink = (err: Error) => void;
