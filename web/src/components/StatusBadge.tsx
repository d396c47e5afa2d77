import { statusColour, statusLabel, textOn } from "../status.js";

export function StatusBadge(props: { status: string }) {
  return (
    <span
      class="badge"
      data-status={props.status}
      style={{ background: statusColour(props.status), color: textOn(props.status) }}
    >
      {statusLabel(props.status)}
    </span>
  );
}
