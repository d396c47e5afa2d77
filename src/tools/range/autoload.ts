import { coreConfig, type LuigiConfig } from "../../config/index.js";
import { registerClass } from "../../step/registry.js";
import { RANGE_STEPS } from "./index.js";

/**
 * Makes the range families known to `luigi` (and to the child processes that run its steps) without
 * the pipeline module exporting them, as Luigi's `import luigi` loads its range tools; `[core]
 * autoload_range = false` leaves them out (a module may still export them).
 */
export function autoloadRangeSteps(config: LuigiConfig): void {
  if (!coreConfig(config).autoloadRange) return;
  for (const cls of RANGE_STEPS) registerClass(cls);
}
