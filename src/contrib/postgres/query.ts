import { hookClient, postgresError, withConnection } from "./client.js";
import { PostgresStep } from "./step.js";

/**
 * Runs `query` then marks the update (Luigi's PostgresQuery), in one transaction unless `autocommit`:
 * the statement and its marker commit together. Give each run its own update id (the step id, from the
 * parameters, by default), or the query runs only once.
 *
 *     class Rollup extends PostgresQuery.with({ day: param.date() }) {
 *       table = "daily_totals";
 *       get query() { return `INSERT INTO daily_totals SELECT ...` }
 *     }
 */
export abstract class PostgresQuery extends PostgresStep {
  /** The SQL to run: one or more statements separated by semicolons. */
  abstract readonly query: string;
  /** true: the query and the marker are each committed at once, outside a transaction. Default false. */
  autocommit = false;

  override async run(): Promise<void> {
    const target = this.output();
    const url = target.url;
    await target.createMarkerTable();
    await withConnection(url, async (client) => {
      let action = "run the query";
      try {
        if (!this.autocommit) await client.query("BEGIN");
        await client.query(this.query);
        action = "mark the query done";
        await target.touch(hookClient(client));
        if (!this.autocommit) await client.query("COMMIT");
      } catch (err) {
        if (!this.autocommit) await client.query("ROLLBACK").catch(() => undefined);
        throw postgresError(err, url, action);
      }
    });
  }
}
