import path from "node:path";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/** `[step_history]` (Luigi's `[task_history]` is read when the new section does not set the key). */
export interface StepHistoryConfig {
  /** The SQLAlchemy-style URL as written, or the default. */
  dbConnection: string;
  /** Whether the URL came from the configuration (false: the default next to the state file). */
  configured: boolean;
}

export const DEFAULT_HISTORY_FILE = "luigi-step-history.db";

/** The `[step_history]` keys, luigid's (no flags): Luigi's `[task_history]` is read when these are absent. */
export const STEP_HISTORY_SECTION = defineSection({
  name: "step_history",
  flags: "none",
  help: "where luigid records the step history",
  keys: {
    db_connection: key.string("", "database URL (sqlite:///, postgresql://, mysql://)", {
      shown: `SQLite ${DEFAULT_HISTORY_FILE} beside the state file`,
    }),
  },
  legacy: (name) => ({ section: "task_history", key: name }),
});

/** Default: a SQLite file `luigi-step-history.db` in the directory of the scheduler's state file. */
export function stepHistoryConfig(cfg: LuigiConfig, statePath: string): StepHistoryConfig {
  const url = readSection(cfg, STEP_HISTORY_SECTION).db_connection.trim();
  if (url !== "") return { dbConnection: url, configured: true };
  const file = path.join(path.dirname(path.resolve(statePath)), DEFAULT_HISTORY_FILE);
  return { dbConnection: `sqlite:///${file}`, configured: false };
}
