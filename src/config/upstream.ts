import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/**
 * `[upstream] family`: Luigi's `upstream` Config class, read by `luigi-deps` as the default of its
 * `--upstream-family` flag (which that command parses itself, so the section has no `luigi` flags).
 */
export const UPSTREAM_SECTION = defineSection({
  name: "upstream",
  flags: "none",
  help: "luigi-deps: the family whose dependency paths it lists by default",
  keys: {
    family: key.string("", "luigi-deps lists only the steps on paths down to this family ('' = all)"),
  },
});

/** The family `[upstream] family` names, or undefined when it is empty or unset. */
export function upstreamFamilyConfig(cfg: LuigiConfig): string | undefined {
  const family = readSection(cfg, UPSTREAM_SECTION).family.trim();
  return family === "" ? undefined : family;
}
