/**
 * luigi-ts: Luigi's workflow model for Node.js. The public API lives here and only here.
 *
 * Glossary: a *step* (Luigi's task) declares typed parameters, `requires()`, `output()` and `run()`; a
 * *target* is what a step produces; a *worker* walks the requirements and runs what a *scheduler* hands
 * it; a *run* is one execution of a step's `run()`. See src/step/step.ts for more.
 */
export { Step, WrapperStep, ExternalStep, isStep } from "./step/step.js";
export type {
  Schema,
  StepArgs,
  StepValues,
  OutputOf,
  RetryPolicy,
  RunResult,
  StepReporter,
} from "./step/step.js";
export type { AnyStepClass, SchemaOf, StepClassWith } from "./step/step.js";
export {
  ExternalProgramStep,
  DEFAULT_KILL_GRACE,
  DEFAULT_STDERR_TAIL_LINES,
} from "./step/external-program.js";
export { shellQuote, type RemoteContext } from "./step/ssh.js";
export { inherits, requires, requiresOn } from "./step/inherits.js";
export type { InheritedSchema, RequiredSteps, RequiringClass, StepClass } from "./step/inherits.js";
export { Config } from "./step/config-class.js";
export type { StepEventName, StepEventArgs } from "./step/events.js";
export type { Structure } from "./step/structure.js";
export { flatten } from "./step/structure.js";
export { param } from "./step/params/index.js";
export { Param, type ParamOptions, type ParamValue, type Visibility } from "./step/params/param.js";
export { stepId } from "./step/step-id.js";
export { completeInBulk } from "./step/bulk-complete.js";
export { setActiveConfig, activeConfig } from "./step/context.js";

export * from "./target/index.js";
export * from "./config/index.js";
export * from "./tools/range/index.js";

export {
  LuigiError,
  ErrorCode,
  ParameterError,
  StepDefinitionError,
  ConfigError,
  TargetError,
  NonRetryableError,
  StepTimeoutError,
  UsageError,
  SchedulerError,
  HistoryError,
  ExternalProgramError,
  type SerializedError,
} from "./errors.js";

export { build, type BuildOptions } from "./worker/build.js";
export { depsTree, type DepsTree, type DepsTreeOptions } from "./tools/deps-tree.js";
export { describeTarget, findDeps, formatDeps } from "./tools/deps.js";
export { Worker, type WorkerOptions, type WorkerProgress } from "./worker/worker.js";
export type { ExecutionSummary, SummaryStatus, Category } from "./worker/summary.js";
export {
  createNotifier,
  SILENT_NOTIFIER,
  type Notice,
  type Notifier,
  type NotifierOptions,
} from "./notify/index.js";

export type * from "./scheduler/api.js";
export { LocalScheduler } from "./scheduler/local.js";
export { RemoteScheduler, type RemoteSchedulerOptions } from "./rpc/client.js";
export { Scheduler } from "./scheduler/index.js";
export { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from "./scheduler/options.js";
export { createLogger, type Logger, type LoggerOptions } from "./log/logger.js";
