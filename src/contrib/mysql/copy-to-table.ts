import type { PoolConnection } from "mysql2/promise";
import { checkRowLength, createTableSql, columnNames, type Column, type Row } from "../shared/columns.js";
import { tabSeparatedLines } from "../shared/input-lines.js";
import { sqlName } from "../shared/sql-names.js";
import { errno, hookClient, mysqlError, withConnection, type MySqlClient } from "./client.js";
import { MySqlStep } from "./step.js";

const NO_SUCH_TABLE = 1146;
const TABLE_EXISTS = 1050;

/**
 * Loads `rows()` into `table` with multi-row INSERTs of `batchSize` rows and marks the update, in one
 * transaction: a failure anywhere rolls back both, so the table never holds half a load and no marker
 * stands for missing rows. (A missing table is created first, outside the transaction: MySQL commits
 * at any CREATE TABLE; so a failed first load can leave the empty table, never rows.)
 *
 *     class LoadSales extends CopyToTable.with({ day: param.date() }) {
 *       table = "sales";
 *       columns = [["day", "DATE"], ["shop", "VARCHAR(64)"], ["amount", "DECIMAL(12,2)"]] as const;
 *       async *rows() { for (const sale of await fetchSales(this.day)) yield [this.day, sale.shop, sale.amount]; }
 *     }
 */
export abstract class CopyToTable extends MySqlStep {
  abstract readonly columns: readonly Column[];
  /** Rows per INSERT statement (Luigi's `bulk_size`). Default 10,000; mind the server's max_allowed_packet. */
  batchSize = 10_000;
  /** Values written as SQL NULL. Default null and undefined. */
  nullValues: readonly unknown[] = [null, undefined];

  /** The rows to load, one value per column. Default: the input's lines split at tabs (as Luigi). */
  rows(): AsyncIterable<Row> | Iterable<Row> {
    return tabSeparatedLines(this.input(), this.family);
  }

  /**
   * One value as mysql2 escapes it: null values as NULL, Dates as UTC timestamps, Buffers as binary;
   * other objects and arrays as JSON text (for JSON columns; mysql2 would expand them otherwise).
   */
  mapColumn(value: unknown): unknown {
    if (this.nullValues.includes(value)) return null;
    if (
      typeof value === "object" &&
      value !== null &&
      !(value instanceof Date) &&
      !(value instanceof Uint8Array)
    )
      return JSON.stringify(value);
    return value;
  }

  /** Creates the missing table from typed columns (before the load's transaction: DDL commits in MySQL). */
  async createTable(client: MySqlClient): Promise<void> {
    await client.query(createTableSql(this.family, this.table, this.columns));
  }

  /** Runs in the transaction before the rows (a DELETE of the day reloaded; not TRUNCATE, which commits). */
  async initCopy(_client: MySqlClient): Promise<void> {}

  /** Runs in the transaction after the rows, before the marker. */
  async postCopy(_client: MySqlClient): Promise<void> {}

  override async run(): Promise<void> {
    const table = sqlName(this.table, `${this.family}.table`, "`");
    const names = columnNames(this.columns, this.family, "`");
    const target = this.output();
    const url = target.url;
    await target.createMarkerTable();
    await withConnection(url, async (conn) => {
      const hooks = hookClient(conn);
      let action = `look up ${table}`;
      try {
        try {
          await conn.query(`SELECT 1 FROM ${table} LIMIT 0`);
        } catch (err) {
          if (errno(err) !== NO_SUCH_TABLE) throw err;
          action = `create ${table}`;
          // Another run creating it at the same moment is as good (its load and this one's then race
          // on the marker: one commits, the other rolls back).
          await this.createTable(hooks).catch((e: unknown) => {
            if (errno(e) !== TABLE_EXISTS) throw e;
          });
        }
        action = "begin the load";
        await conn.beginTransaction();
        action = `prepare the load of ${table}`;
        await this.initCopy(hooks);
        action = `insert rows into ${table}`;
        const count = await this.insert(conn, table, names);
        action = `finish the load of ${table}`;
        await this.postCopy(hooks);
        await target.touch(hooks);
        action = `commit the load of ${table}`;
        await conn.commit();
        this.setStatusMessage(`${count} rows loaded into ${table}`);
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw mysqlError(err, url, action);
      }
    });
  }

  private async insert(conn: PoolConnection, table: string, names: readonly string[]): Promise<number> {
    const sql = `INSERT INTO ${table} (${names.join(", ")}) VALUES ?`;
    const size = Math.max(1, Math.floor(this.batchSize));
    let batch: unknown[][] = [];
    let count = 0;
    const signal = this.signal; // the step's timeout: stop at the next row
    for await (const row of this.rows()) {
      if (signal.aborted) signal.throwIfAborted();
      checkRowLength(row, names.length, count, this.family);
      batch.push(row.map((value) => this.mapColumn(value)));
      count++;
      if (batch.length >= size) {
        await conn.query(sql, [batch]);
        batch = [];
        this.setStatusMessage(`${count} rows inserted into ${table}`);
      }
    }
    if (batch.length > 0) await conn.query(sql, [batch]);
    return count;
  }
}
