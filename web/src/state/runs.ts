/**
 * The Runs tab's logic, apart from its components (and unit-tested on its own): the form a family's
 * parameters make, the parameters a run is asked with, and what a trigger's status says.
 */
import type { FamilyParamSpec, RunnableFamily, TriggerInfo, TriggerStatus } from "../api/types.js";

/** How a parameter is entered. */
export type FieldKind = "checkbox" | "select" | "number" | "date" | "month" | "text";

export interface Field {
  kind: FieldKind;
  /** For number inputs: "1" (integers) or "any". */
  step?: string;
  min?: number;
  max?: number;
}

/**
 * The input for a parameter kind: a checkbox for bool, a list for choice and enum, the browser's date
 * and month pickers (their values are already in the kinds' text forms, YYYY-MM-DD and YYYY-MM), number
 * inputs for int, float and year, and text (with the expected form as a hint) for the rest.
 */
export function fieldOf(spec: FamilyParamSpec): Field {
  if (spec.choices !== null && spec.choices.length > 0) return { kind: "select" };
  switch (spec.kind) {
    case "bool":
      return { kind: "checkbox" };
    case "int":
      return { kind: "number", step: "1" };
    case "float":
      return { kind: "number", step: "any" };
    case "year":
      return { kind: "number", step: "1", min: 1, max: 9999 };
    case "date":
      return { kind: "date" };
    case "month":
      return { kind: "month" };
    default:
      return { kind: "text" };
  }
}

/** The form's first values: each default in its text form, empty for a parameter without one. */
export function initialValues(family: RunnableFamily): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of family.params) values[p.name] = p.default ?? (p.kind === "bool" ? "False" : "");
  return values;
}

/** Parameters without a default that have no value yet. */
export function missingValues(family: RunnableFamily, values: Record<string, string>): string[] {
  return family.params.filter((p) => !p.has_default && (values[p.name] ?? "") === "").map((p) => p.name);
}

/**
 * What the run is asked with: the parameters without a default, and those whose value differs from it.
 * A default left as it is stays out, so that the assistant's `[Family]` settings apply to it, as they
 * do to `luigi FAMILY` when the flag is not given.
 */
export function paramsToSend(family: RunnableFamily, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of family.params) {
    const value = values[p.name] ?? "";
    if (!p.has_default || value !== (p.default ?? "")) out[p.name] = value;
  }
  return out;
}

/** Statuses after which nothing changes any more. */
export const ENDED: ReadonlySet<TriggerStatus> = new Set<TriggerStatus>([
  "done",
  "failed",
  "refused",
  "lost",
]);

export const TRIGGER_LABELS: Record<TriggerStatus, string> = {
  queued: "Queued",
  taken: "Starting",
  running: "Running",
  done: "Done",
  failed: "Failed",
  refused: "Refused",
  lost: "Lost",
};

/** One line on where the run is. */
export function triggerText(t: TriggerInfo): string {
  switch (t.status) {
    case "queued":
      return t.assistants === 0
        ? `waiting for an assistant that can load ${t.family}`
        : `waiting: ${t.assistants} ${t.assistants === 1 ? "assistant" : "assistants"} can run it`;
    case "taken":
      return "an assistant is building the step";
    case "running":
      return "running";
    case "done":
      return `done (exit code ${t.exit_code ?? 0})`;
    case "failed":
      return `${(t.result ?? "failed").toLowerCase().replaceAll("_", " ")} (exit code ${t.exit_code ?? "?"})`;
    case "refused":
    case "lost":
      return t.message ?? t.status;
  }
}
