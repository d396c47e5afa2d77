import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import type * as copyStreams from "pg-copy-streams";
import { requireOptional } from "../../loader/optional-package.js";
import { sqlName } from "../shared/sql-names.js";
import { checkRowLength, createTableSql, columnNames, type Column, type Row } from "../shared/columns.js";
import { tabSeparatedLines } from "../shared/input-lines.js";
import { hookClient, lostCreateRace, postgresError, withConnection } from "./client.js";
import type { PostgresClient } from "./hook-client.js";
import { COPY_NULL, copyTextOf, escapeCopyText } from "./copy-text.js";
import { PostgresStep } from "./step.js";

/**
 * Loads `rows()` into `table` with COPY FROM STDIN and marks the update, in one transaction: a failure
 * anywhere (in rows(), in the server's parsing of a value, a lost connection) rolls back both, so a
 * table never holds half a load and a marker never stands for rows that are not there. Rows stream to
 * the server `batchSize` at a time; nothing is buffered on disk (Luigi writes a temporary file first).
 *
 *     class LoadSales extends CopyToTable.with({ day: param.date() }) {
 *       table = "sales";
 *       columns = [["day", "DATE"], ["shop", "TEXT"], ["amount", "NUMERIC(12,2)"]] as const;
 *       async *rows() { for (const sale of await fetchSales(this.day)) yield [this.day, sale.shop, sale.amount]; }
 *     }
 */
export abstract class CopyToTable extends PostgresStep {
  /** Names, or `[name, type]` pairs: with types, a missing table is created (see createTable). */
  abstract readonly columns: readonly Column[];
  /** Rows encoded and handed to the server at a time (and the progress step). Default 10,000. */
  batchSize = 10_000;
  /** Values written as SQL NULL (Luigi's `null_values`). Default null and undefined. */
  nullValues: readonly unknown[] = [null, undefined];

  /** The rows to load, one value per column. Default: the input's lines split at tabs (as Luigi). */
  rows(): AsyncIterable<Row> | Iterable<Row> {
    return tabSeparatedLines(this.input(), this.family);
  }

  /** One value as COPY text: see copy-text.ts. Override to format a column differently. */
  mapColumn(value: unknown): string {
    return this.nullValues.includes(value) ? COPY_NULL : escapeCopyText(copyTextOf(value));
  }

  /** Runs in the load's transaction when the table is missing; by default CREATE TABLE from typed columns. */
  async createTable(client: PostgresClient): Promise<void> {
    await client.query(createTableSql(this.family, this.table, this.columns));
  }

  /** Runs in the transaction before the copy (truncate, delete a day being reloaded, ...). */
  async initCopy(_client: PostgresClient): Promise<void> {}

  /** Runs in the transaction after the copy, before the marker. */
  async postCopy(_client: PostgresClient): Promise<void> {}

  override async run(): Promise<void> {
    const table = sqlName(this.table, `${this.family}.table`, '"');
    const names = columnNames(this.columns, this.family, '"');
    const target = this.output();
    const url = target.url;
    await target.createMarkerTable();
    await withConnection(url, async (client) => {
      const hooks = hookClient(client);
      let action = "begin the load";
      try {
        await client.query("BEGIN");
        action = `look up ${table}`;
        const found = await client.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [
          table,
        ]);
        if (found.rows[0]?.found !== true) {
          action = `create ${table}`;
          await this.createTableOnce(client, hooks);
        }
        action = `prepare the load of ${table}`;
        await this.initCopy(hooks);
        action = `copy rows into ${table}`;
        const count = await this.copy(client, table, names);
        action = `finish the load of ${table}`;
        await this.postCopy(hooks);
        await target.touch(hooks);
        action = `commit the load of ${table}`;
        await client.query("COMMIT");
        this.setStatusMessage(`${count} rows loaded into ${table}`);
      } catch (err) {
        // The connection is discarded after this (see withConnection) if the rollback cannot be sent.
        await client.query("ROLLBACK").catch(() => undefined);
        throw postgresError(err, url, action);
      }
    });
  }

  /**
   * createTable() in the load's transaction (a failed first load leaves no table), under a savepoint:
   * when loads of other updates create the same new table at once, the first to commit wins and the
   * others (their CREATE waited for it, then failed as a duplicate) go back to the savepoint and load
   * into its table (lostCreateRace() lists how PostgreSQL says so).
   */
  private async createTableOnce(client: pg.PoolClient, hooks: PostgresClient): Promise<void> {
    await client.query("SAVEPOINT luigi_create_table");
    try {
      await this.createTable(hooks);
    } catch (err) {
      if (!lostCreateRace(err)) throw err;
      await client.query("ROLLBACK TO SAVEPOINT luigi_create_table");
      return;
    }
    await client.query("RELEASE SAVEPOINT luigi_create_table");
  }

  /** Streams the rows into one COPY; returns how many were sent. */
  private async copy(client: pg.PoolClient, table: string, names: readonly string[]): Promise<number> {
    const { from } = requireOptional<typeof copyStreams>(
      "pg-copy-streams",
      "CopyToTable of luigi-ts/postgres",
    );
    const sql = `COPY ${table} (${names.join(", ")}) FROM STDIN WITH (FORMAT text, NULL '\\N', DELIMITER E'\\t')`;
    const sink = client.query(from(sql));
    let count = 0;
    const size = Math.max(1, Math.floor(this.batchSize));
    const width = names.length;
    // The step's timeout (or luigi's shutdown) aborts the signal: stop at the next row, and abort the
    // COPY even while the server is still answering.
    const signal = this.signal;
    const line = (row: Row): string => {
      if (signal.aborted) signal.throwIfAborted();
      checkRowLength(row, width, count, this.family);
      count++;
      let text = this.mapColumn(row[0]);
      for (let i = 1; i < width; i++) text += "\t" + this.mapColumn(row[i]);
      return text + "\n";
    };
    const batchDone = (): void => {
      this.setStatusMessage(`${count} rows sent to ${table}`);
    };
    const source = this.rows();
    const encoded = isSyncIterable(source)
      ? syncBatches(source, size, line, batchDone)
      : asyncBatches(source, size, line, batchDone);
    // pipeline() waits for the server's answer to the whole COPY, and on any failure destroys the copy
    // stream, which aborts the COPY on the server (the transaction is then rolled back by run()).
    await pipeline(Readable.from(encoded, { objectMode: false }), sink, { signal });
    return count;
  }
}

/** A sync iterable is read without a promise per row (for await would wrap each one). */
function isSyncIterable(rows: AsyncIterable<Row> | Iterable<Row>): rows is Iterable<Row> {
  return typeof (rows as Partial<Iterable<Row>>)[Symbol.iterator] === "function";
}

function* syncBatches(
  rows: Iterable<Row>,
  size: number,
  line: (row: Row) => string,
  batchDone: () => void,
): Generator<string> {
  let chunk = "";
  let inChunk = 0;
  for (const row of rows) {
    chunk += line(row);
    if (++inChunk >= size) {
      yield chunk;
      chunk = "";
      inChunk = 0;
      batchDone();
    }
  }
  if (chunk !== "") yield chunk;
}

async function* asyncBatches(
  rows: AsyncIterable<Row>,
  size: number,
  line: (row: Row) => string,
  batchDone: () => void,
): AsyncGenerator<string> {
  let chunk = "";
  let inChunk = 0;
  for await (const row of rows) {
    chunk += line(row);
    if (++inChunk >= size) {
      yield chunk;
      chunk = "";
      inChunk = 0;
      batchDone();
    }
  }
  if (chunk !== "") yield chunk;
}
