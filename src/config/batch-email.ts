import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/** How luigid groups failures in a digest (Luigi's `[batch_email] batch_mode`). */
export type BatchMode = "unbatched_params" | "family" | "all";

/**
 * The `[batch_email]` keys: luigid's digests, sent when `[scheduler] batch_emails` is on. No flags
 * (luigid's alone). Luigi's `[batch-notifier] email-interval-minutes` is still read.
 */
export const BATCH_EMAIL_SECTION = defineSection({
  name: "batch_email",
  flags: "none",
  help: "luigid's failure digests ([scheduler] batch_emails = true)",
  keys: {
    email_interval: key.float(60, "minutes between two digests"),
    batch_mode: key.choice(
      ["unbatched_params", "family", "all"] as const,
      "unbatched_params",
      "group by family and unbatched parameters, by family, or (all) by the exact step",
      { normalise: (t) => t.trim().toLowerCase() },
    ),
    error_lines: key.int(20, "last lines shown of each error; 0 = all"),
    error_messages: key.int(1, "errors shown per group"),
    group_by_error_messages: key.bool(true, "steps that failed with the same error share one entry"),
  },
  legacy: (name) =>
    name === "email_interval"
      ? {
          section: "batch-notifier",
          key: "email-interval-minutes",
          warning: "[batch-notifier] email-interval-minutes is deprecated; use [batch_email] email_interval",
        }
      : undefined,
});

export interface BatchEmailConfig {
  /** Minutes between two digests (fractions allowed). Default 60. */
  emailInterval: number;
  /** Default "unbatched_params". */
  batchMode: BatchMode;
  /** Last lines kept of each error; 0 = all. Default 20. */
  errorLines: number;
  /** Errors shown per group. Default 1. */
  errorMessages: number;
  /** One entry for the steps that failed with the same error. Default true. */
  groupByErrorMessages: boolean;
}

export function batchEmailConfig(cfg: LuigiConfig): BatchEmailConfig {
  const v = readSection(cfg, BATCH_EMAIL_SECTION);
  if (!(v.email_interval > 0)) {
    throw new ConfigError(`[batch_email] email_interval = ${v.email_interval}: expected minutes above 0`, {
      section: "batch_email",
      key: "email_interval",
      value: String(v.email_interval),
      expected: "a number of minutes above 0",
    });
  }
  return {
    emailInterval: v.email_interval,
    batchMode: v.batch_mode,
    errorLines: Math.max(0, v.error_lines),
    errorMessages: Math.max(0, v.error_messages),
    groupByErrorMessages: v.group_by_error_messages,
  };
}
