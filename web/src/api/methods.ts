/** Typed wrappers over the RPC methods the visualiser uses (SPEC 5.7, plus step_page and step_graph). */
import { call } from "./client.js";
import type {
  FetchErrorResponse,
  ResourceNode,
  StepGraph,
  StepGraphArgs,
  StepNode,
  StepPage,
  StepPageArgs,
  StepStatus,
  WorkerNode,
} from "./types.js";

type StatusAnswer = { task_id: string; status: StepStatus | null };

export const api = {
  stepPage: (args: StepPageArgs, signal?: AbortSignal) => call<StepPage>("step_page", args, signal),
  stepGraph: (args: StepGraphArgs, signal?: AbortSignal) => call<StepGraph>("step_graph", args, signal),
  fetchError: (taskId: string) => call<FetchErrorResponse>("fetch_error", { task_id: taskId }),
  workerList: (signal?: AbortSignal) => call<WorkerNode[]>("worker_list", {}, signal),
  resourceList: (signal?: AbortSignal) => call<ResourceNode[]>("resource_list", {}, signal),
  hasTaskHistory: () => call<boolean>("has_task_history"),
  isPauseEnabled: () => call<{ enabled: boolean }>("is_pause_enabled"),
  isPaused: () => call<{ paused: boolean }>("is_paused"),
  pause: () => call<null>("pause"),
  unpause: () => call<null>("unpause"),
  forgiveFailures: (taskId: string) => call<StatusAnswer>("forgive_failures", { task_id: taskId }),
  markAsDone: (taskId: string) => call<StatusAnswer>("mark_as_done", { task_id: taskId }),
  reEnableTask: (taskId: string) =>
    call<StepNode | Record<string, never>>("re_enable_task", { task_id: taskId }),
  disableWorker: (worker: string) => call<null>("disable_worker", { worker }),
  setWorkerProcesses: (worker: string, n: number) => call<null>("set_worker_processes", { worker, n }),
  updateResource: (resource: string, amount: number) =>
    call<boolean>("update_resource", { resource, amount }),
};
