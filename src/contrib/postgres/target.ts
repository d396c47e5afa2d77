import type pg from "pg";
import { ErrorCode, TargetError } from "../../errors.js";
import type { Target } from "../../target/target.js";
import { existsInBulkBy } from "../shared/bulk-exists.js";
import { sqlName } from "../shared/sql-names.js";
import {
  lostCreateRace,
  markerTableName,
  postgresError,
  postgresUrl,
  shownPostgres,
  sqlState,
  withConnection,
} from "./client.js";
import type { PostgresClient } from "./hook-client.js";

const UNDEFINED_TABLE = "42P01";
const UNIQUE_VIOLATION = "23505";

export interface PostgresTargetOptions {
  /** The table the marked update wrote (recorded in the marker's `target_table`). */
  table: string;
  /** What identifies this update among all others: CopyToTable uses its step id. */
  updateId: string;
  /** Where to connect; default `[postgres] url`, else libpq's PG* environment variables. */
  url?: string;
  /** Default `[postgres] marker_table` (table_updates); may be schema-qualified. */
  markerTable?: string;
}

/** Marker tables this process has made sure of, by URL and name: a `CREATE TABLE` per load is enough. */
const ensured = new Set<string>();

/**
 * A marker row in Luigi's `table_updates` table (`update_id TEXT PRIMARY KEY, target_table TEXT,
 * inserted TIMESTAMP DEFAULT NOW()`), so Python Luigi and luigi-ts agree on what is loaded. It exists
 * when a row with its update id does; a missing marker table means nothing is marked yet.
 */
export class PostgresTarget implements Target {
  readonly table: string;
  readonly updateId: string;
  private readonly givenUrl: string | undefined;
  private readonly givenMarker: string | undefined;

  constructor(opts: PostgresTargetOptions) {
    this.table = opts.table;
    this.updateId = opts.updateId;
    this.givenUrl = opts.url;
    this.givenMarker = opts.markerTable;
  }

  /** The URL in force (read when first needed, so the configuration of the run applies). */
  get url(): string {
    return postgresUrl(this.givenUrl);
  }

  get markerTable(): string {
    return sqlName(markerTableName(this.givenMarker), "[postgres] marker_table", '"');
  }

  async exists(): Promise<boolean> {
    const { url, markerTable } = this;
    return withConnection(url, async (client) => {
      try {
        const found = await client.query(`SELECT 1 FROM ${markerTable} WHERE update_id = $1 LIMIT 1`, [
          this.updateId,
        ]);
        return found.rowCount !== null && found.rowCount > 0;
      } catch (err) {
        if (sqlState(err) === UNDEFINED_TABLE) return false;
        throw postgresError(err, url, `check the marker in ${markerTable}`);
      }
    });
  }

  /**
   * Which of `targets` are marked, with one query per URL and marker table (`update_id = ANY($1)`)
   * instead of one per target: how CopyToTable and PostgresQuery answer a range step's bulk check.
   */
  static existsInBulk(targets: readonly PostgresTarget[]): Promise<boolean[]> {
    return existsInBulkBy(
      targets,
      (t) => t.exists === PostgresTarget.prototype.exists,
      (t) => `${t.url}\u0000${t.markerTable}`,
      async (group) => {
        const { url, markerTable } = group[0] as PostgresTarget;
        const marked = await withConnection(url, async (client) => {
          try {
            const res = await client.query<{ update_id: string }>(
              `SELECT update_id FROM ${markerTable} WHERE update_id = ANY($1::text[])`,
              [group.map((t) => t.updateId)],
            );
            return new Set(res.rows.map((row) => row.update_id));
          } catch (err) {
            if (sqlState(err) === UNDEFINED_TABLE) return new Set<string>();
            throw postgresError(err, url, `check the markers in ${markerTable}`);
          }
        });
        return group.map((t) => marked.has(t.updateId));
      },
    );
  }

  /**
   * Marks the update done. With `client` (a load's transaction), the marker commits or rolls back with
   * the load; without, it is written at once. The marker table is created first if needed, on a
   * connection of its own (as Luigi: inside a transaction a failed CREATE would abort the load).
   * An update already marked is TARGET_EXISTS: the same data set was loaded meanwhile by another run.
   */
  async touch(client?: PostgresClient): Promise<void> {
    const { url, markerTable } = this;
    await this.createMarkerTable();
    const insert = async (on: PostgresClient): Promise<void> => {
      try {
        await on.query(`INSERT INTO ${markerTable} (update_id, target_table) VALUES ($1, $2)`, [
          this.updateId,
          this.table,
        ]);
      } catch (err) {
        if (sqlState(err) !== UNIQUE_VIOLATION)
          throw postgresError(err, url, `mark ${this.updateId} in ${markerTable}`);
        throw new TargetError(
          ErrorCode.TARGET_EXISTS,
          `${shownPostgres(url)}: ${this.updateId} is already marked in ${markerTable} (loaded meanwhile by another run?)`,
          { cause: err, details: { store: "postgres", updateId: this.updateId } },
        );
      }
    };
    if (client !== undefined) await insert(client);
    else await withConnection(url, (own: pg.PoolClient) => insert(own));
  }

  /** Creates the marker table when it is missing (Luigi's columns). */
  async createMarkerTable(): Promise<void> {
    const { url, markerTable } = this;
    const key = `${url}\u0000${markerTable}`;
    if (ensured.has(key)) return;
    await withConnection(url, async (client) => {
      try {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${markerTable} (update_id TEXT PRIMARY KEY, target_table TEXT, inserted TIMESTAMP DEFAULT NOW())`,
        );
      } catch (err) {
        // Two processes creating it at once: one wins, the other sees the table (or its type) taken.
        if (!lostCreateRace(err)) throw postgresError(err, url, `create the marker table ${markerTable}`);
      }
    });
    ensured.add(key);
  }

  /** Luigi shows the table. */
  toString(): string {
    return this.table;
  }
}
