import type { SerializedError } from "../errors.js";

/** Messages between a worker and the child process running one step (`isolation = process`). */
export interface ChildRequest {
  type: "run";
  module: string;
  cwd: string;
  family: string;
  stepId: string;
  params: Record<string, string>;
  /** The worker's `--Family-param` flags: what the step's code builds or reads there sees them too. */
  familyFlags: Record<string, Record<string, string>>;
  /** The worker captures this child's output: notes for the log (a retry's error) go to stderr. */
  captured?: boolean;
}

export type ChildMessage =
  | { type: "status"; message: string }
  | { type: "progress"; percent: number }
  | { type: "tracking"; url: string }
  | { type: "decrease"; resources: Record<string, number> }
  /** An external program's process group started or ended (the parent kills the live ones with the child). */
  | { type: "program"; pgid: number; running: boolean }
  | { type: "done"; seconds: number; attempts: number }
  | {
      type: "failed";
      message: string;
      stack: string;
      seconds: number;
      attempts: number;
      error?: SerializedError;
    }
  | { type: "suspended"; seconds: number; newDeps: { family: string; params: Record<string, string> }[] };
