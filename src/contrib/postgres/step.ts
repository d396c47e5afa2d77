import { Step } from "../../step/step.js";
import { PostgresTarget } from "./target.js";

/**
 * What CopyToTable and PostgresQuery share (Luigi's rdbms bases): a table, where to connect, and a
 * PostgresTarget marker keyed by `updateId` as output. Set the fields in a subclass, or override them
 * with getters when they depend on parameters.
 */
export abstract class PostgresStep extends Step {
  /** The table written (schema-qualified if need be); the marker records it. */
  abstract readonly table: string;
  /** Where to connect; undefined: `[postgres] url`, else libpq's PG* environment variables. */
  connectionUrl: string | undefined = undefined;
  /** undefined: `[postgres] marker_table` (table_updates). */
  markerTable: string | undefined = undefined;

  /** Identifies this update among all others in the marker table; default the step id, as Luigi's task_id. */
  get updateId(): string {
    return this.id;
  }

  override output(): PostgresTarget {
    return new PostgresTarget({
      table: this.table,
      updateId: this.updateId,
      ...(this.connectionUrl !== undefined ? { url: this.connectionUrl } : {}),
      ...(this.markerTable !== undefined ? { markerTable: this.markerTable } : {}),
    });
  }
}
