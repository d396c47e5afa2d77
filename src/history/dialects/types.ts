import type { Dialect } from "kysely";

/** What the rest of the history needs to know about a database beyond Kysely's dialect. */
export interface HistoryDialect {
  readonly name: "sqlite" | "postgres" | "mysql";
  readonly kysely: Dialect;
}

/** Reports driver-level errors that happen outside any query (an idle connection dropped). */
export type DriverErrorSink = (err: Error) => void;
