import type { GetWorkResponse } from "../scheduler/api.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";

/**
 * Whether a worker with nothing to run now keeps asking for work (Luigi's keep_alive rules, SPEC 1.5):
 * only with keep_alive; an assistant always; else while the scheduler reports pending steps for it
 * (counted as count_last_scheduled or count_uniques say), until max_keep_alive_idle_duration.
 */
export function keepsAlive(
  opts: ResolvedWorkerOptions,
  reply: GetWorkResponse,
  idleSinceMs: number,
  nowMs: number,
): boolean {
  if (!opts.keepAlive) return false;
  if (opts.assistant) return true;
  if (opts.countLastScheduled) return (reply.n_pending_last_scheduled ?? 0) > 0;
  if (opts.countUniques) return reply.n_unique_pending > 0;
  if (reply.n_pending_tasks === 0) return false;
  if (!opts.maxKeepAliveIdleDuration) return true;
  return nowMs - idleSinceMs < opts.maxKeepAliveIdleDuration * 1000;
}
