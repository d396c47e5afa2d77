import { MarkedStep, type MarkerOptions } from "../shared/marked-step.js";
import { PostgresTarget } from "./target.js";

/**
 * What CopyToTable and PostgresQuery share: `table`, `connectionUrl` (else `[postgres] url`, else the
 * PG* variables), `markerTable`, `updateId`, and a PostgresTarget as output.
 */
export abstract class PostgresStep extends MarkedStep<PostgresTarget> {
  protected override marker(opts: MarkerOptions): PostgresTarget {
    return new PostgresTarget(opts);
  }
}
