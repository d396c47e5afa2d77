/**
 * The history tables as Kysely types. Times are UTC epoch milliseconds (BIGINT): unambiguous across
 * the three databases and their drivers, and durations are plain subtractions.
 */
import type { ColumnType, Generated } from "kysely";

/** BIGINT: node-postgres hands these back as strings, the others as numbers; read through `toMillis`. */
export type Millis = ColumnType<number | string, number, number>;
export type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

/** One run of a step: from the event that opened it to DONE, FAILED or DISABLED. */
export interface StepsTable {
  id: Generated<number>;
  step_id: string;
  family: string;
  /** The last status recorded for the run. */
  status: string;
  /** Host and worker of the run's (last) hand-out. */
  host: string | null;
  worker: string | null;
  started_at: Millis;
  running_at: NullableMillis;
  finished_at: NullableMillis;
  updated_at: Millis;
  /** The failure's explanation (FAILED / DISABLED), as the worker sent it. */
  error: string | null;
}

export interface StepParametersTable {
  run_id: number;
  name: string;
  value: string;
  /** The value's first 190 characters: what the (name, value) index holds, on every database. */
  value_key: string;
}

export interface StepEventsTable {
  id: Generated<number>;
  run_id: number;
  event: string;
  ts: Millis;
  host: string | null;
  worker: string | null;
  /** The error text for FAILED / DISABLED, or why the scheduler made the change (retry, re-enabled...). */
  message: string | null;
}

export interface HistoryDatabase {
  steps: StepsTable;
  step_parameters: StepParametersTable;
  step_events: StepEventsTable;
}

export const VALUE_KEY_LENGTH = 190;

/** Column widths: longer values are cut (with a marker) rather than failing the batch. */
export const MAX_NAME = 255;

export function toMillis(value: number | string): number;
export function toMillis(value: number | string | null): number | null;
export function toMillis(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
