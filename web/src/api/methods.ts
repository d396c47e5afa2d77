/**
 * Typed wrappers over the RPC methods the visualiser uses (SPEC 5.7, plus step_page and step_graph, and
 * trigger_list and trigger_step for the Runs tab).
 */
import { call } from "./client.js";
import type {
  StepGraphArgs,
  StepPageArgs,
  StepTimelineArgs,
  TriggerListArgs,
  WireCalls,
  WireName,
} from "./types.js";

type Args<M extends WireName> = WireCalls[M]["args"];
type Answer<M extends WireName> = WireCalls[M]["answer"];
/** The arguments, then an abort signal; arguments that are all optional may be left out. */
type Rest<M extends WireName> = M extends WireName
  ? Record<string, never> extends Args<M>
    ? [args?: Args<M>, signal?: AbortSignal]
    : [args: Args<M>, signal?: AbortSignal]
  : never;

/**
 * One RPC call by its Luigi name, its arguments and answer typed by the scheduler's method table: a wrong
 * argument shape (or answer type) fails the typecheck.
 */
export function rpc<M extends WireName>(method: M, ...rest: Rest<M>): Promise<Answer<M>> {
  const [args, signal] = rest as [Args<M> | undefined, AbortSignal | undefined];
  return call<Answer<M>>(method, args ?? {}, signal);
}

export const api = {
  stepPage: (args: StepPageArgs, signal?: AbortSignal) => rpc("step_page", args, signal),
  stepGraph: (args: StepGraphArgs, signal?: AbortSignal) => rpc("step_graph", args, signal),
  stepTimeline: (args: StepTimelineArgs, signal?: AbortSignal) => rpc("step_timeline", args, signal),
  fetchError: (taskId: string) => rpc("fetch_error", { task_id: taskId }),
  workerList: (signal?: AbortSignal) => rpc("worker_list", {}, signal),
  resourceList: (signal?: AbortSignal) => rpc("resource_list", {}, signal),
  hasTaskHistory: () => rpc("has_task_history"),
  isPauseEnabled: () => rpc("is_pause_enabled"),
  isPaused: () => rpc("is_paused"),
  pause: () => rpc("pause"),
  unpause: () => rpc("unpause"),
  forgiveFailures: (taskId: string) => rpc("forgive_failures", { task_id: taskId }),
  markAsDone: (taskId: string) => rpc("mark_as_done", { task_id: taskId }),
  reEnableTask: (taskId: string) => rpc("re_enable_task", { task_id: taskId }),
  disableWorker: (worker: string) => rpc("disable_worker", { worker }),
  setWorkerProcesses: (worker: string, n: number) => rpc("set_worker_processes", { worker, n }),
  updateResource: (resource: string, amount: number) => rpc("update_resource", { resource, amount }),
  triggerList: (args: TriggerListArgs, signal?: AbortSignal) => rpc("trigger_list", args, signal),
  triggerStep: (family: string, params: Record<string, string>) => rpc("trigger_step", { family, params }),
  stepLog: (taskId: string, signal?: AbortSignal) => rpc("step_log", { task_id: taskId }, signal),
};
