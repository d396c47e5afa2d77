/**
 * The form to start a run of one family: a field per parameter, built from its kind (see fieldOf), with
 * its default filled in, its description and the form it expects. Submitting asks luigid to queue the
 * run (`trigger_step`); an assistant that can load the family runs it.
 */
import { useState } from "preact/hooks";
import type { FamilyParamSpec, RunnableFamily } from "../api/types.js";
import { fieldOf, initialValues, missingValues, paramsToSend } from "../state/runs.js";

function ParamInput(props: { spec: FamilyParamSpec; value: string; onChange: (value: string) => void }) {
  const { spec, value, onChange } = props;
  const field = fieldOf(spec);
  const id = `run-param-${spec.name}`;
  const common = { id, name: spec.name, "data-param": spec.name, "data-kind": spec.kind };
  if (field.kind === "checkbox") {
    return (
      <input
        {...common}
        type="checkbox"
        checked={value === "True"}
        onChange={(e) => onChange(e.currentTarget.checked ? "True" : "False")}
      />
    );
  }
  if (field.kind === "select") {
    const choices = spec.choices ?? [];
    // No value chosen yet (no default), or none at all for an optional parameter.
    const blank = !spec.has_default || spec.optional || !choices.includes(value);
    return (
      <select
        {...common}
        value={value}
        required={!spec.has_default}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {blank && <option value="">{spec.optional ? "(none)" : "choose…"}</option>}
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  }
  const typed = {
    ...common,
    value,
    required: !spec.has_default,
    onInput: (e: { currentTarget: HTMLInputElement }) => onChange(e.currentTarget.value),
  };
  if (field.kind === "number")
    return <input {...typed} type="number" step={field.step} min={field.min} max={field.max} />;
  if (field.kind === "date") return <input {...typed} type="date" />;
  if (field.kind === "month") return <input {...typed} type="month" />;
  return <input {...typed} type="text" placeholder={spec.expected} />;
}

export function RunForm(props: {
  family: RunnableFamily;
  /** Why the user may not start runs (undefined: they may). */
  refusal: string | undefined;
  onSubmit: (params: Record<string, string>) => Promise<void>;
  onCancel: () => void;
}) {
  const { family } = props;
  const [values, setValues] = useState(() => initialValues(family));
  const [busy, setBusy] = useState(false);
  const missing = missingValues(family, values);
  const submit = async (): Promise<void> => {
    if (busy || missing.length > 0 || props.refusal !== undefined) return;
    setBusy(true);
    try {
      await props.onSubmit(paramsToSend(family, values));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="run-form"
      data-family={family.name}
      aria-label={`Run ${family.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>
        Run {family.name}
        {family.module && <span class="muted"> from {family.module}</span>}
      </h3>
      {family.params.length === 0 && <p class="muted">This step has no parameters.</p>}
      <div class="run-fields">
        {family.params.map((spec) => (
          <div class="run-field" key={spec.name}>
            <label for={`run-param-${spec.name}`}>
              {spec.name}
              {!spec.has_default && (
                <span class="required" title="needs a value">
                  {" "}
                  *
                </span>
              )}
            </label>
            <ParamInput
              spec={spec}
              value={values[spec.name] ?? ""}
              onChange={(value) => setValues((v) => ({ ...v, [spec.name]: value }))}
            />
            <span class="run-hint">
              {spec.description ? `${spec.description} · ` : ""}
              {spec.kind}: {spec.expected}
              {spec.has_default ? ` · default ${spec.default === "" ? "none" : (spec.default ?? "?")}` : ""}
            </span>
          </div>
        ))}
      </div>
      <div class="dialog-buttons">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          class="primary"
          disabled={busy || missing.length > 0 || props.refusal !== undefined}
          title={
            props.refusal ?? (missing.length > 0 ? `needs a value for ${missing.join(", ")}` : undefined)
          }
        >
          Run
        </button>
      </div>
    </form>
  );
}
