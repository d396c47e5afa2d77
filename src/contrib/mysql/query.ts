import { hookClient, mysqlError, withConnection } from "./client.js";
import { MySqlStep } from "./step.js";

/**
 * Runs `query` then marks the update, in one transaction unless `autocommit` (as PostgresQuery). The
 * query may hold several statements; DDL in it commits at once, as MySQL does.
 */
export abstract class MySqlQuery extends MySqlStep {
  /** The SQL to run: one or more statements separated by semicolons. */
  abstract readonly query: string;
  /** true: the query and the marker are each committed at once. Default false. */
  autocommit = false;

  override async run(): Promise<void> {
    const target = this.output();
    const url = target.url;
    await target.createMarkerTable();
    await withConnection(url, async (conn) => {
      let action = "run the query";
      try {
        if (!this.autocommit) await conn.beginTransaction();
        await conn.query(this.query);
        action = "mark the query done";
        await target.touch(hookClient(conn));
        if (!this.autocommit) await conn.commit();
      } catch (err) {
        if (!this.autocommit) await conn.rollback().catch(() => undefined);
        throw mysqlError(err, url, action);
      }
    });
  }
}
