import { ErrorCode, StepDefinitionError } from "../../errors.js";
import { sqlName } from "./sql-names.js";

/**
 * A column of CopyToTable's `columns`: a name, or `[name, type]` as Luigi's tuples, the type used when
 * the table is created (`["amount", "NUMERIC(12,2)"]`).
 */
export type Column = string | readonly [name: string, type: string];

/** One row from `rows()`: a value per column, in the order of `columns`. */
export type Row = readonly unknown[];

/** The columns' names, checked as SQL names. */
export function columnNames(columns: readonly Column[], family: string, quote: '"' | "`"): string[] {
  if (columns.length === 0) {
    throw new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${family}.columns is empty: name the columns to load`,
      {
        details: { family },
      },
    );
  }
  return columns.map((column) =>
    sqlName(typeof column === "string" ? column : column[0], `${family}.columns`, quote, 1),
  );
}

/**
 * CopyToTable's default createTable(): `CREATE TABLE table (name TYPE, ...)` from typed columns, or the
 * step's error saying what to do when a column has no type.
 */
export function createTableSql(family: string, table: string, columns: readonly Column[]): string {
  const definitions = columnDefinitions(columns);
  if (definitions === undefined) {
    throw new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${family}: table ${table} does not exist, and columns give no types to create it ` +
        `with: create it, give columns as [name, type] pairs, or override createTable()`,
      { details: { family, table } },
    );
  }
  return `CREATE TABLE ${table} (${definitions})`;
}

/** `name TYPE, ...` for CREATE TABLE, or undefined when some column has no type. */
function columnDefinitions(columns: readonly Column[]): string | undefined {
  const parts: string[] = [];
  for (const column of columns) {
    if (typeof column === "string") return undefined;
    parts.push(`${column[0]} ${column[1]}`);
  }
  return parts.join(", ");
}

/** A row of the wrong length is the step's bug: said with the row's number, before the server sees it. */
export function checkRowLength(row: Row, width: number, index: number, family: string): void {
  if (Array.isArray(row) && row.length === width) return;
  const got = Array.isArray(row) ? `${row.length} values` : `a ${typeof row}`;
  throw new StepDefinitionError(
    ErrorCode.STEP_DEFINITION,
    `${family}.rows(): row ${index + 1} has ${got}, expected ${width} (one per column)`,
    { details: { family, row: index + 1 } },
  );
}
