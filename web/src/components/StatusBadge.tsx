import { CATEGORY_LABELS } from "../status.js";
import type { StepCategory } from "../api/types.js";
import { statusColour, textOn } from "../status.js";

export function StatusBadge(props: { status: string }) {
  const label = CATEGORY_LABELS[props.status as StepCategory] ?? props.status;
  return (
    <span
      class="badge"
      data-status={props.status}
      style={{ background: statusColour(props.status), color: textOn(props.status) }}
    >
      {label}
    </span>
  );
}
