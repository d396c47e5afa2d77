import type { Step } from "../../step/step.js";
import { bulkCompleteMarked, MarkedStep, type MarkerOptions } from "../shared/marked-step.js";
import { MySqlTarget } from "./target.js";

/**
 * What CopyToTable and MySqlQuery share: `table`, `connectionUrl` (else `[mysql] url`, else the mysql
 * client's variables), `markerTable`, `updateId`, and a MySqlTarget as output.
 */
export abstract class MySqlStep extends MarkedStep<MySqlTarget> {
  /** Many steps' markers in one query per marker table (see MySqlTarget.existsInBulk). */
  static override bulkComplete(steps: readonly Step[]): Promise<Step[]> {
    return bulkCompleteMarked(steps, (targets: readonly MySqlTarget[]) => MySqlTarget.existsInBulk(targets));
  }

  protected override marker(opts: MarkerOptions): MySqlTarget {
    return new MySqlTarget(opts);
  }
}
