import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/** The `[execution_summary]` keys; flags `--execution-summary-<key>`. */
export const EXECUTION_SUMMARY_SECTION = defineSection({
  name: "execution_summary",
  flags: "prefixed",
  help: "the summary luigi prints at the end",
  keys: {
    summary_length: key.int(5, "lines per category of the summary; 0 = all"),
  },
});

export interface ExecutionSummaryConfig {
  /** Lines per category of the summary; 0 = all. Default 5. */
  summaryLength: number;
}

export function executionSummaryConfig(cfg: LuigiConfig): ExecutionSummaryConfig {
  return { summaryLength: readSection(cfg, EXECUTION_SUMMARY_SECTION).summary_length };
}
