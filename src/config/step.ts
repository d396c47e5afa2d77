import type { LuigiConfig } from "./config.js";
import { isTable, valueToText } from "./toml.js";

/**
 * Parameter defaults for a step family from the section named after it (`[Report] day = 2026-11-20`),
 * as text for the parameter's own parser. INI values are interpolated and include [DEFAULT] keys, as
 * Luigi's `conf.get(family, name)` sees them; keys are as written in the file. No section -> {}.
 *
 * In TOML, `[my_ns.Report]` is a nested table (my_ns -> Report); it is found too, though the quoted
 * form `["my_ns.Report"]` is the unambiguous spelling.
 */
export function stepDefaults(cfg: LuigiConfig, family: string): Record<string, string> {
  if (cfg.has(family)) return cfg.section(family);
  if (cfg.format !== "toml" || !family.includes(".")) return {};
  const [head = "", second = "", ...rest] = family.split(".");
  let node: unknown = cfg.getRaw(head, second);
  for (const part of rest) node = isTable(node) ? node[part] : undefined;
  if (!isTable(node)) return {};
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, valueToText(value)]));
}
