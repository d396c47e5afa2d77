import { Step } from "../../step/step.js";
import type { Target } from "../../target/target.js";

/** What a store's marker target is built from. */
export interface MarkerOptions {
  table: string;
  updateId: string;
  url?: string;
  markerTable?: string;
}

/**
 * What the SQL stores' steps share (Luigi's rdbms bases): a table, where to connect, and a marker row
 * keyed by `updateId` as output. Set the fields in a subclass, or override them with getters when they
 * depend on parameters.
 */
export abstract class MarkedStep<T extends Target> extends Step {
  /** The table written (schema- or database-qualified if need be); the marker records it. */
  abstract readonly table: string;
  /** Where to connect; undefined: the store's `[section] url`, else its client's environment variables. */
  connectionUrl: string | undefined = undefined;
  /** undefined: the store's `[section] marker_table` (table_updates). */
  markerTable: string | undefined = undefined;

  /** Identifies this update among all others in the marker table; default the step id, as Luigi's task_id. */
  get updateId(): string {
    return this.id;
  }

  /** The store's marker target for these options. */
  protected abstract marker(opts: MarkerOptions): T;

  override output(): T {
    return this.marker({
      table: this.table,
      updateId: this.updateId,
      ...(this.connectionUrl !== undefined ? { url: this.connectionUrl } : {}),
      ...(this.markerTable !== undefined ? { markerTable: this.markerTable } : {}),
    });
  }
}
