/**
 * Multi-row INSERT statements for the writer's hot path. Kysely's builder costs about as much CPU per
 * row as the database does for these (it builds and compiles an AST per value), and luigid's CPU is what
 * the scheduler needs: so the SQL text is built once per (table, row count), cached, and run through
 * Kysely's executor as a compiled query, with each dialect's placeholders. Columns are fixed names from
 * the schema, never user input; every value is a bound parameter.
 */
import { CompiledQuery, type Transaction } from "kysely";
import type { HistoryDialect } from "./dialects/types.js";
import type { HistoryDatabase } from "./schema.js";

type DialectName = HistoryDialect["name"];

export interface BulkTable {
  readonly table: "steps" | "step_parameters" | "step_events";
  readonly columns: readonly string[];
  /** ON CONFLICT / ON DUPLICATE KEY clause, per dialect. */
  readonly suffix?: (dialect: DialectName) => string;
}

/** Rows per statement: well under every database's bound-parameter limit for our widest table. */
export const ROWS_PER_STATEMENT = 200;

const texts = new Map<string, string>();

function statementText(spec: BulkTable, dialect: DialectName, rows: number): string {
  const key = `${dialect}:${spec.table}:${rows}`;
  let text = texts.get(key);
  if (text !== undefined) return text;
  const width = spec.columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const marks: string[] = [];
    for (let c = 0; c < width; c++) marks.push(dialect === "postgres" ? `$${r * width + c + 1}` : "?");
    tuples.push(`(${marks.join(", ")})`);
  }
  text = `INSERT INTO ${spec.table} (${spec.columns.join(", ")}) VALUES ${tuples.join(", ")}${
    spec.suffix ? ` ${spec.suffix(dialect)}` : ""
  }`;
  // Bounded: at most ROWS_PER_STATEMENT texts per table and dialect.
  texts.set(key, text);
  return text;
}

/** Inserts `rows` (each in `spec.columns` order) in statements of ROWS_PER_STATEMENT rows. */
export async function bulkInsert(
  trx: Transaction<HistoryDatabase>,
  dialect: DialectName,
  spec: BulkTable,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const row of chunk) for (const value of row) params.push(value);
    await trx.executeQuery(CompiledQuery.raw(statementText(spec, dialect, chunk.length), params));
  }
}
