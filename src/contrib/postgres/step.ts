import type { Step } from "../../step/step.js";
import { bulkCompleteMarked, MarkedStep, type MarkerOptions } from "../shared/marked-step.js";
import { PostgresTarget } from "./target.js";

/**
 * What CopyToTable and PostgresQuery share: `table`, `connectionUrl` (else `[postgres] url`, else the
 * PG* variables), `markerTable`, `updateId`, and a PostgresTarget as output.
 */
export abstract class PostgresStep extends MarkedStep<PostgresTarget> {
  /** Many steps' markers in one query per marker table (see PostgresTarget.existsInBulk). */
  static override bulkComplete(steps: readonly Step[]): Promise<Step[]> {
    return bulkCompleteMarked(steps, (targets: readonly PostgresTarget[]) =>
      PostgresTarget.existsInBulk(targets),
    );
  }

  protected override marker(opts: MarkerOptions): PostgresTarget {
    return new PostgresTarget(opts);
  }
}
