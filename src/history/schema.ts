/**
 * The history tables as Kysely types. Times are UTC epoch milliseconds (BIGINT): unambiguous across
 * the three databases and their drivers, and durations are plain subtractions.
 */
import type { ColumnType, Generated } from "kysely";

/** BIGINT: node-postgres hands these back as strings, the others as numbers; read through `toMillis`. */
export type Millis = ColumnType<number | string, number, number>;
/** A BIGINT count (bytes): read like Millis. */
export type BigCount = ColumnType<number | string, number, number>;
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
  /** The failure's explanation (FAILED / DISABLED): the text, decoded from the wire's JSON encoding. */
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
  /** Who asked for the change (mark as done, forgive, re-enable), e.g. "alice (operator) from 10.0.0.7". */
  actor: string | null;
}

/** One attempt's captured log (what the step printed), of a run. */
export interface StepLogsTable {
  id: Generated<number>;
  run_id: number;
  /** The scheduler's count of the step's logged runs. */
  attempt: number;
  worker: string | null;
  /** When the log was complete. */
  ts: Millis;
  /** Bytes the run printed, and of those the ones cut from the middle. */
  bytes: BigCount;
  cut: BigCount;
  /** 1: the run ended without the worker sending the rest of its log. */
  incomplete: number;
  /** The log, with its cut marked. */
  text: string;
}

export interface HistoryDatabase {
  steps: StepsTable;
  step_parameters: StepParametersTable;
  step_events: StepEventsTable;
  step_logs: StepLogsTable;
}

export const VALUE_KEY_LENGTH = 190;

/** Column widths: longer values are cut rather than failing the batch. */
export const MAX_NAME = 255;
export const MAX_PARAM_NAME = 128;
/** The largest run id: the id columns are 32-bit INTEGER / SERIAL. */
export const MAX_RUN_ID = 2_147_483_647;

/** PostgreSQL refuses NUL in text: it becomes U+FFFD everywhere, so that all databases agree. */
export function storableText(value: string): string;
export function storableText(value: string | null): string | null;
export function storableText(value: string | null): string | null {
  return value !== null && value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
}

/** Fits a step id, family, host or worker into its VARCHAR(255) column, as stored and as looked up. */
export function storableName(value: string): string;
export function storableName(value: string | null): string | null;
export function storableName(value: string | null): string | null {
  if (value === null) return null;
  return storableText(value.length <= MAX_NAME ? value : value.slice(0, MAX_NAME));
}

export function toMillis(value: number | string): number;
export function toMillis(value: number | string | null): number | null;
export function toMillis(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
