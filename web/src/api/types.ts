/**
 * The wire shapes the visualiser reads, taken from the scheduler's own declarations (type-only: nothing
 * of the server is bundled) so that a change there fails the web typecheck. WireCalls maps each RPC
 * method's Luigi name to the SchedulerApi member's arguments and answer (src/scheduler/methods.ts).
 */
export type {
  FamilyParamSpec,
  FetchErrorResponse,
  ResourceNode,
  StepCategory,
  StepGraph,
  StepGraphArgs,
  StepGraphNode,
  StepLogAnswer,
  StepNode,
  StepPage,
  StepPageArgs,
  StepPageSort,
  StepRow,
  StepStatus,
  StepTimeline,
  StepTimelineArgs,
  TimelineBar,
  RunnableFamily,
  TriggerInfo,
  TriggerList,
  TriggerListArgs,
  TriggerStatus,
  WorkerNode,
} from "../../../src/scheduler/api.js";
export type { MutatingWireName, WireCalls, WireName } from "../../../src/scheduler/methods.js";
export type { HistoryBar, HistoryTimeline } from "../../../src/history/trend-queries.js";
