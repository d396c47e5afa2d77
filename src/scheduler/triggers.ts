/**
 * Triggered runs (luigi-ts): a run of a root step asked for over HTTP or from the visualiser
 * (`trigger_step`), without cron. The scheduler only queues it; an assistant (`luigi --assistant
 * --module M`) that announced the family in its `add_worker` info (`step_families`) takes it
 * (`take_trigger`), builds the step and runs it as `luigi FAMILY ...` would, and says how it went
 * (`report_trigger`). The scheduler never builds a step, so it never needs the step's code nor its id
 * (Luigi's hash of family and parameters): the assistant reports the root's id once it has built it.
 *
 * A family no live assistant announced keeps its triggers queued (the listing says so: `assistants`
 * 0); an assistant that goes away gives back what it had not built yet, and what it was running is
 * lost. Luigi's Python assistants never call these methods, so they are handed no trigger.
 */
import { ErrorCode, SchedulerError } from "../errors.js";
import type {
  FamilyParamSpec,
  FamilySpec,
  ReportTriggerArgs,
  RunnableFamily,
  TakenTrigger,
  TriggerInfo,
  TriggerList,
  TriggerListArgs,
  TriggerReportAnswer,
  TriggerStepArgs,
} from "./api.js";
import type { Core } from "./core.js";
import { lazyCategorizer } from "./queries.js";
import { MAX_OPEN_TRIGGERS, isOpen, type TriggerRecord } from "./trigger-queue.js";
import type { WorkerRecord } from "./worker-record.js";

/** A trigger's parameters, as JSON text, at most (a run's parameters are a few short values). */
const MAX_PARAMS_CHARS = 64 * 1024;
/** Longest family name, requester and message kept (a message holds an execution summary). */
const MAX_NAME_CHARS = 1000;
const MAX_MESSAGE_CHARS = 8 * 1024;
/** Families and parameters per family kept of one assistant's announcement. */
const MAX_FAMILIES = 5000;
const MAX_PARAMS = 200;

function refuse(message: string, field: string): never {
  throw new SchedulerError(ErrorCode.BAD_REQUEST, `trigger_step: ${message}`, {
    details: { method: "trigger_step", field },
  });
}

/** trigger_step: checks the shape (never the parameters themselves: the assistant judges those) and queues. */
export function queueTrigger(core: Core, args: TriggerStepArgs): TriggerInfo {
  const { state } = core;
  const family = args.family;
  if (typeof family !== "string" || family.trim() === "")
    refuse("family must be a non-empty string", "family");
  if (family.length > MAX_NAME_CHARS) refuse(`family is longer than ${MAX_NAME_CHARS} characters`, "family");
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(args.params ?? {})) {
    if (typeof value !== "string") refuse(`parameter ${JSON.stringify(name)} must be text`, "params");
    params[name] = value;
  }
  if (JSON.stringify(params).length > MAX_PARAMS_CHARS)
    refuse(`the parameters are longer than ${MAX_PARAMS_CHARS} characters`, "params");
  const queues = state.triggers;
  if (queues.openCount() >= MAX_OPEN_TRIGGERS) {
    refuse(
      `${MAX_OPEN_TRIGGERS} triggered runs are not finished yet; wait for some to end (or start an assistant that can load them)`,
      "family",
    );
  }
  const record: TriggerRecord = {
    id: queues.nextId,
    family,
    params,
    requestedBy: clip(args.requested_by ?? null, MAX_NAME_CHARS),
    requestedAt: state.now,
    status: "queued",
    worker: null,
    takenAt: null,
    taskId: null,
    runWorker: null,
    finishedAt: null,
    result: null,
    exitCode: null,
    message: null,
  };
  queues.add(record);
  return new Listing(core).info(record);
}

/** take_trigger: the oldest queued trigger of a family this assistant announced, now taken by it. */
export function takeTrigger(core: Core, worker: WorkerRecord): TakenTrigger {
  const families = worker.families;
  if (!families || !worker.assistant || worker.disabled) return { trigger: null };
  for (const r of core.state.triggers.records.values()) {
    if (r.status !== "queued" || !families.has(r.family)) continue;
    r.status = "taken";
    r.worker = worker.id;
    r.takenAt = core.state.now;
    return { trigger: { trigger_id: r.id, family: r.family, params: { ...r.params } } };
  }
  return { trigger: null };
}

/**
 * report_trigger: accepted only from the assistant that took the trigger, and only in order (built,
 * then ended). An end reported after the trigger was given up as lost is still taken: it says more.
 */
export function reportTrigger(core: Core, args: ReportTriggerArgs): TriggerReportAnswer {
  const queues = core.state.triggers;
  const r = queues.records.get(args.trigger_id);
  if (!r || r.worker !== args.worker) return { accepted: false };
  const now = core.state.now;
  if (args.status === "running") {
    if (r.status !== "taken" && r.status !== "running") return { accepted: false };
    r.status = "running";
    r.taskId = clip(args.task_id ?? r.taskId, MAX_MESSAGE_CHARS);
    r.runWorker = clip(args.run_worker ?? r.runWorker, MAX_MESSAGE_CHARS);
    return { accepted: true };
  }
  if (!(isOpen(r.status) || r.status === "lost") || r.status === "queued") return { accepted: false };
  r.status = args.status;
  r.finishedAt = now;
  if (args.task_id != null) r.taskId = clip(args.task_id, MAX_MESSAGE_CHARS);
  if (args.run_worker != null) r.runWorker = clip(args.run_worker, MAX_MESSAGE_CHARS);
  r.result = clip(args.result ?? null, MAX_NAME_CHARS);
  r.exitCode = args.exit_code ?? null;
  r.message = clip(args.message ?? null, MAX_MESSAGE_CHARS);
  queues.forgetOldEnded();
  return { accepted: true };
}

/** trigger_list: what live assistants can run, and the latest triggers with their root's status now. */
export function listTriggers(core: Core, args: TriggerListArgs): TriggerList {
  const listing = new Listing(core);
  const records = [...core.state.triggers.records.values()];
  const open = records.filter((r) => isOpen(r.status)).length;
  const wanted = args.trigger_id == null ? records : records.filter((r) => r.id === args.trigger_id);
  const limit = Math.max(0, args.limit ?? 50);
  const triggers = wanted
    .reverse()
    .slice(0, limit)
    .map((r) => listing.info(r));
  return { families: listing.families(), triggers, open };
}

/** What one answer reads of the live state: the assistants' families, and the roots' categories. */
class Listing {
  private runnable: Map<string, RunnableFamily> | undefined;
  private readonly categoryOf: ReturnType<typeof lazyCategorizer>;

  constructor(private readonly core: Core) {
    this.categoryOf = lazyCategorizer(core);
  }

  /** Family -> its spec (from the assistant heard from last) and how many live assistants announced it. */
  private byFamily(): Map<string, RunnableFamily> {
    if (this.runnable) return this.runnable;
    const { state } = this.core;
    const found = new Map<string, { spec: FamilySpec; heard: number; assistants: number }>();
    for (const id of state.assistants) {
      const w = state.workers.get(id);
      if (!w?.families || w.disabled) continue;
      for (const spec of w.families.values()) {
        const seen = found.get(spec.name);
        if (!seen) found.set(spec.name, { spec, heard: w.lastActive, assistants: 1 });
        else {
          seen.assistants++;
          if (w.lastActive > seen.heard) Object.assign(seen, { spec, heard: w.lastActive });
        }
      }
    }
    const names = [...found.keys()].sort();
    this.runnable = new Map();
    for (const name of names) {
      const { spec, assistants } = found.get(name) as { spec: FamilySpec; assistants: number };
      this.runnable.set(name, {
        ...spec,
        params: spec.params.map((p) => ({ ...p, choices: p.choices && [...p.choices] })),
        assistants,
      });
    }
    return this.runnable;
  }

  families(): RunnableFamily[] {
    return [...this.byFamily().values()];
  }

  info(r: TriggerRecord): TriggerInfo {
    const root = r.taskId === null ? undefined : this.core.state.steps.get(r.taskId);
    return {
      trigger_id: r.id,
      family: r.family,
      params: { ...r.params },
      requested_by: r.requestedBy,
      requested_at: r.requestedAt,
      status: r.status,
      worker: r.worker,
      taken_at: r.takenAt,
      task_id: r.taskId,
      run_worker: r.runWorker,
      finished_at: r.finishedAt,
      result: r.result,
      exit_code: r.exitCode,
      message: r.message,
      root_status: root && root.family ? this.categoryOf(root) : null,
      assistants: this.byFamily().get(r.family)?.assistants ?? 0,
    };
  }
}

/**
 * An assistant's `step_families` announcement, checked: entries that are not a family spec are left
 * out (a worker's info is whatever a client sent), and strings are kept as they are. null: not a list.
 */
export function familySpecsFrom(value: unknown): Map<string, FamilySpec> | null {
  if (!Array.isArray(value)) return null;
  const out = new Map<string, FamilySpec>();
  for (const item of value.slice(0, MAX_FAMILIES)) {
    if (!isRecord(item) || !nonEmpty(item.name)) continue;
    const params = Array.isArray(item.params) ? item.params.slice(0, MAX_PARAMS) : [];
    out.set(item.name, {
      name: item.name,
      module: typeof item.module === "string" ? item.module : null,
      params: params.map(paramSpecFrom).filter((p): p is FamilyParamSpec => p !== null),
    });
  }
  return out;
}

function paramSpecFrom(item: unknown): FamilyParamSpec | null {
  if (!isRecord(item) || !nonEmpty(item.name)) return null;
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const choices = Array.isArray(item.choices) ? item.choices.filter((c) => typeof c === "string") : null;
  return {
    name: item.name,
    kind: text(item.kind) ?? "str",
    expected: text(item.expected) ?? "",
    default: text(item.default),
    has_default: item.has_default === true,
    description: text(item.description),
    choices,
    optional: item.optional === true,
    significant: item.significant !== false,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}

function clip(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
