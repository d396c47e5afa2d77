/**
 * The wire shapes the visualiser reads, taken from the scheduler's own declarations (type-only: nothing
 * of the server is bundled) so that a change there fails the web typecheck.
 */
export type {
  FetchErrorResponse,
  ResourceNode,
  StepCategory,
  StepGraph,
  StepGraphArgs,
  StepGraphNode,
  StepNode,
  StepPage,
  StepPageArgs,
  StepPageSort,
  StepRow,
  StepStatus,
  WorkerNode,
} from "../../../src/scheduler/api.js";
