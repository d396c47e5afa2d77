import { ErrorCode, TargetError } from "../../errors.js";
import type { Target } from "../../target/target.js";
import { existsInBulkBy } from "../shared/bulk-exists.js";
import type { MarkerOptions } from "../shared/marked-step.js";
import { sqlName } from "../shared/sql-names.js";
import {
  errno,
  hookClient,
  markerTableName,
  mysqlError,
  mysqlUrl,
  shownMysql,
  withConnection,
  type MySqlClient,
} from "./client.js";

const NO_SUCH_TABLE = 1146;
const DUPLICATE_ENTRY = 1062;

export interface MySqlTargetOptions extends MarkerOptions {
  /** The table the marked update wrote (recorded in the marker's `target_table`). */
  table: string;
  /** What identifies this update among all others (at most 128 characters, Luigi's column). */
  updateId: string;
  /** Where to connect; default `[mysql] url`, else the mysql client's environment variables. */
  url?: string;
  /** Default `[mysql] marker_table` (table_updates); may be database-qualified. */
  markerTable?: string;
}

const ensured = new Set<string>();

/**
 * A marker row in Luigi's MySQL `table_updates` table (`id` auto-increment, `update_id VARCHAR(128)`
 * primary key, `target_table VARCHAR(128)`, `inserted TIMESTAMP DEFAULT NOW()`), shared with Python
 * Luigi. Where Luigi's MySqlTarget upserts the marker, this one inserts it: marking an update twice is
 * TARGET_EXISTS, so two runs racing on the same update cannot both commit their rows.
 */
export class MySqlTarget implements Target {
  readonly table: string;
  readonly updateId: string;
  private readonly givenUrl: string | undefined;
  private readonly givenMarker: string | undefined;

  constructor(opts: MySqlTargetOptions) {
    this.table = opts.table;
    this.updateId = opts.updateId;
    this.givenUrl = opts.url;
    this.givenMarker = opts.markerTable;
  }

  get url(): string {
    return mysqlUrl(this.givenUrl);
  }

  get markerTable(): string {
    return sqlName(markerTableName(this.givenMarker), "[mysql] marker_table", "`");
  }

  async exists(): Promise<boolean> {
    const { url, markerTable } = this;
    return withConnection(url, async (conn) => {
      try {
        const [rows] = await conn.query(`SELECT 1 FROM ${markerTable} WHERE update_id = ? LIMIT 1`, [
          this.updateId,
        ]);
        return Array.isArray(rows) && rows.length > 0;
      } catch (err) {
        if (errno(err) === NO_SUCH_TABLE) return false;
        throw mysqlError(err, url, `check the marker in ${markerTable}`);
      }
    });
  }

  /**
   * Which of `targets` are marked, with one query per URL and marker table (`update_id IN (...)`, a
   * thousand ids at a time) instead of one per target: how a range step's bulk check is answered.
   */
  static existsInBulk(targets: readonly MySqlTarget[]): Promise<boolean[]> {
    return existsInBulkBy(
      targets,
      (t) => t.exists === MySqlTarget.prototype.exists,
      (t) => `${t.url}\u0000${t.markerTable}`,
      async (group) => {
        const { url, markerTable } = group[0] as MySqlTarget;
        const ids = group.map((t) => t.updateId);
        const marked = await withConnection(url, async (conn) => {
          const seen = new Set<string>();
          try {
            for (let at = 0; at < ids.length; at += 1000) {
              const [rows] = await conn.query(`SELECT update_id FROM ${markerTable} WHERE update_id IN (?)`, [
                ids.slice(at, at + 1000),
              ]);
              for (const row of rows as { update_id: string }[]) seen.add(row.update_id);
            }
          } catch (err) {
            if (errno(err) !== NO_SUCH_TABLE)
              throw mysqlError(err, url, `check the markers in ${markerTable}`);
          }
          return seen;
        });
        return ids.map((id) => marked.has(id));
      },
    );
  }

  /**
   * Marks the update done: inside the load's transaction with `client`, else at once. The marker table
   * is created first when missing, on a connection of its own (DDL commits a MySQL transaction).
   */
  async touch(client?: MySqlClient): Promise<void> {
    const { url, markerTable } = this;
    await this.createMarkerTable();
    const insert = async (on: MySqlClient): Promise<void> => {
      try {
        await on.query(`INSERT INTO ${markerTable} (update_id, target_table) VALUES (?, ?)`, [
          this.updateId,
          this.table,
        ]);
      } catch (err) {
        if (errno(err) !== DUPLICATE_ENTRY)
          throw mysqlError(err, url, `mark ${this.updateId} in ${markerTable}`);
        throw new TargetError(
          ErrorCode.TARGET_EXISTS,
          `${shownMysql(url)}: ${this.updateId} is already marked in ${markerTable} (loaded meanwhile by another run?)`,
          { cause: err, details: { store: "mysql", updateId: this.updateId } },
        );
      }
    };
    if (client !== undefined) await insert(client);
    else await withConnection(url, (conn) => insert(hookClient(conn)));
  }

  async createMarkerTable(): Promise<void> {
    const { url, markerTable } = this;
    const key = `${url}\u0000${markerTable}`;
    if (ensured.has(key)) return;
    await withConnection(url, async (conn) => {
      try {
        await conn.query(
          `CREATE TABLE IF NOT EXISTS ${markerTable} (
             id BIGINT(20) NOT NULL AUTO_INCREMENT,
             update_id VARCHAR(128) NOT NULL,
             target_table VARCHAR(128),
             inserted TIMESTAMP DEFAULT NOW(),
             PRIMARY KEY (update_id),
             KEY id (id)
           ) ENGINE=InnoDB`,
        );
      } catch (err) {
        throw mysqlError(err, url, `create the marker table ${markerTable}`);
      }
    });
    ensured.add(key);
  }

  toString(): string {
    return this.table;
  }
}
