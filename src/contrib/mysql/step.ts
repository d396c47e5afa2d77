import { MarkedStep, type MarkerOptions } from "../shared/marked-step.js";
import { MySqlTarget } from "./target.js";

/**
 * What CopyToTable and MySqlQuery share: `table`, `connectionUrl` (else `[mysql] url`, else the mysql
 * client's variables), `markerTable`, `updateId`, and a MySqlTarget as output.
 */
export abstract class MySqlStep extends MarkedStep<MySqlTarget> {
  protected override marker(opts: MarkerOptions): MySqlTarget {
    return new MySqlTarget(opts);
  }
}
