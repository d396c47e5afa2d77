import path from "node:path";
import type { LuigiConfig } from "./config.js";

/** `[step_history]` (Luigi's `[task_history]` is read when the new section does not set the key). */
export interface StepHistoryConfig {
  /** The SQLAlchemy-style URL as written, or the default. */
  dbConnection: string;
  /** Whether the URL came from the configuration (false: the default next to the state file). */
  configured: boolean;
}

export const DEFAULT_HISTORY_FILE = "luigi-step-history.db";

/** Default: a SQLite file `luigi-step-history.db` in the directory of the scheduler's state file. */
export function stepHistoryConfig(cfg: LuigiConfig, statePath: string): StepHistoryConfig {
  const section = cfg.has("step_history", "db_connection") ? "step_history" : "task_history";
  const url = cfg.getString(section, "db_connection", undefined);
  if (url !== undefined && url.trim() !== "") return { dbConnection: url.trim(), configured: true };
  const file = path.join(path.dirname(path.resolve(statePath)), DEFAULT_HISTORY_FILE);
  return { dbConnection: `sqlite:///${file}`, configured: false };
}
