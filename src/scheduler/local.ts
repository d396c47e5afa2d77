/**
 * The in-process scheduler (`--local-scheduler`): the SchedulerApi over a Scheduler core in the same
 * process. Like Luigi's local scheduler it prunes on every get_work, and it reads the real clock.
 */
import type {
  AddTaskArgs,
  AddTasksArgs,
  AddWorkerArgs,
  FetchErrorResponse,
  GetWorkArgs,
  GetWorkResponse,
  GetWorksArgs,
  GetWorksResponse,
  PendingCounts,
  PingResponse,
  ResourceNode,
  Resources,
  SchedulerApi,
  StepGraph,
  StepGraphArgs,
  StepNode,
  StepPage,
  StepPageArgs,
  StepStatus,
  TaskListArgs,
  TaskListResponse,
  WorkerNode,
} from "./api.js";
import type { SchedulerHooks } from "./core.js";
import type { SchedulerOptions } from "./options.js";
import { Scheduler } from "./scheduler.js";

export interface LocalSchedulerInit {
  /** Scheduler settings; `pruneOnGetWork` defaults to true here. */
  options?: Partial<SchedulerOptions>;
  /** Epoch seconds; default the real clock. */
  clock?: () => number;
  hooks?: SchedulerHooks;
  newMessageId?: () => string;
  /** Wrap this core instead of building one (the other fields are then ignored). */
  scheduler?: Scheduler;
}

export class LocalScheduler implements SchedulerApi {
  readonly scheduler: Scheduler;

  constructor(init: LocalSchedulerInit = {}) {
    this.scheduler =
      init.scheduler ??
      new Scheduler({
        pruneOnGetWork: true,
        ...init.options,
        clock: init.clock ?? (() => Date.now() / 1000),
        ...(init.hooks ? { hooks: init.hooks } : {}),
        ...(init.newMessageId ? { newMessageId: init.newMessageId } : {}),
      });
  }

  // Each method answers at once; `async` only fits the interface the remote client shares.

  async addTask(args: AddTaskArgs): Promise<null> {
    return this.scheduler.addTask(args);
  }
  async addTasks(args: AddTasksArgs): Promise<null> {
    return this.scheduler.addTasks(args);
  }
  async addTaskBatcher(args: {
    worker: string;
    task_family: string;
    batched_args: string[];
    max_batch_size?: number;
  }): Promise<null> {
    return this.scheduler.addTaskBatcher(args);
  }
  async addWorker(args: AddWorkerArgs): Promise<null> {
    return this.scheduler.addWorker(args);
  }
  async getWork(args: GetWorkArgs): Promise<GetWorkResponse> {
    return this.scheduler.getWork(args);
  }
  async getWorks(args: GetWorksArgs): Promise<GetWorksResponse> {
    return this.scheduler.getWorks(args);
  }
  async countPending(args: { worker: string }): Promise<PendingCounts> {
    return this.scheduler.countPending(args);
  }
  async ping(args: { worker: string }): Promise<PingResponse> {
    return this.scheduler.ping(args);
  }
  async announceSchedulingFailure(args: {
    worker?: string;
    task_name: string;
    family: string;
    params: Record<string, unknown>;
    expl: string;
    owners: string[];
  }): Promise<null> {
    return this.scheduler.announceSchedulingFailure(args);
  }
  async setTaskStatusMessage(args: { task_id: string; status_message: string }): Promise<null> {
    return this.scheduler.setTaskStatusMessage(args);
  }
  async getTaskStatusMessage(args: {
    task_id: string;
  }): Promise<{ taskId: string; statusMessage: string | null }> {
    return this.scheduler.getTaskStatusMessage(args);
  }
  async setTaskProgressPercentage(args: { task_id: string; progress_percentage: number }): Promise<null> {
    return this.scheduler.setTaskProgressPercentage(args);
  }
  async getTaskProgressPercentage(args: {
    task_id: string;
  }): Promise<{ taskId: string; progressPercentage: number | null }> {
    return this.scheduler.getTaskProgressPercentage(args);
  }
  async decreaseRunningTaskResources(args: {
    task_id: string;
    decrease_resources: Resources;
  }): Promise<null> {
    return this.scheduler.decreaseRunningTaskResources(args);
  }
  async getRunningTaskResources(args: {
    task_id: string;
  }): Promise<{ taskId: string; resources: Resources | null }> {
    return this.scheduler.getRunningTaskResources(args);
  }
  async reportTaskStatistics(args: { task_id: string; statistics: Record<string, unknown> }): Promise<null> {
    return this.scheduler.reportTaskStatistics(args);
  }
  async addSchedulerMessageResponse(args: {
    task_id: string;
    message_id: string;
    response: unknown;
  }): Promise<null> {
    return this.scheduler.addSchedulerMessageResponse(args);
  }

  async taskList(args: TaskListArgs): Promise<TaskListResponse> {
    return this.scheduler.taskList(args);
  }
  async taskSearch(args: { task_str: string }): Promise<Record<string, Record<string, StepNode>>> {
    return this.scheduler.taskSearch(args);
  }
  async graph(): Promise<Record<string, StepNode>> {
    return this.scheduler.graph();
  }
  async depGraph(args: { task_id: string; include_done?: boolean }): Promise<Record<string, StepNode>> {
    return this.scheduler.depGraph(args);
  }
  async inverseDepGraph(args: {
    task_id: string;
    include_done?: boolean;
  }): Promise<Record<string, StepNode>> {
    return this.scheduler.inverseDepGraph(args);
  }
  async workerList(args?: { include_running?: boolean }): Promise<WorkerNode[]> {
    return this.scheduler.workerList(args);
  }
  async resourceList(): Promise<ResourceNode[]> {
    return this.scheduler.resourceList();
  }
  async fetchError(args: { task_id: string }): Promise<FetchErrorResponse> {
    return this.scheduler.fetchError(args);
  }
  async reEnableTask(args: { task_id: string }): Promise<StepNode | Record<string, never>> {
    return this.scheduler.reEnableTask(args);
  }
  async forgiveFailures(args: { task_id: string }): Promise<{ task_id: string; status: StepStatus | null }> {
    return this.scheduler.forgiveFailures(args);
  }
  async markAsDone(args: { task_id: string }): Promise<{ task_id: string; status: StepStatus | null }> {
    return this.scheduler.markAsDone(args);
  }
  async disableWorker(args: { worker: string }): Promise<null> {
    return this.scheduler.disableWorker(args);
  }
  async setWorkerProcesses(args: { worker: string; n: number }): Promise<null> {
    return this.scheduler.setWorkerProcesses(args);
  }
  async sendSchedulerMessage(args: {
    worker: string;
    task: string;
    content: string;
  }): Promise<{ message_id: string | null }> {
    return this.scheduler.sendSchedulerMessage(args);
  }
  async getSchedulerMessageResponse(args: {
    task_id: string;
    message_id: string;
  }): Promise<{ response: unknown }> {
    return this.scheduler.getSchedulerMessageResponse(args);
  }
  async isPauseEnabled(): Promise<{ enabled: boolean }> {
    return this.scheduler.isPauseEnabled();
  }
  async isPaused(): Promise<{ paused: boolean }> {
    return this.scheduler.isPaused();
  }
  async pause(): Promise<null> {
    return this.scheduler.pause();
  }
  async unpause(): Promise<null> {
    return this.scheduler.unpause();
  }
  async updateResources(args: Record<string, number>): Promise<null> {
    return this.scheduler.updateResources(args);
  }
  async updateResource(args: { resource: string; amount: number }): Promise<boolean> {
    return this.scheduler.updateResource(args);
  }
  async hasTaskHistory(): Promise<boolean> {
    return this.scheduler.hasTaskHistory();
  }
  async prune(): Promise<null> {
    return this.scheduler.prune();
  }
  async stepPage(args: StepPageArgs): Promise<StepPage> {
    return this.scheduler.stepPage(args);
  }
  async stepGraph(args: StepGraphArgs): Promise<StepGraph> {
    return this.scheduler.stepGraph(args);
  }
}
