/** A bar for a percentage (a step's progress, a resource's use). */
export function ProgressBar(props: { percent: number; label?: string; colour?: string }) {
  const p = Math.max(0, Math.min(100, props.percent));
  return (
    <div
      class="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(p)}
      title={props.label ?? `${Math.round(p)} %`}
    >
      <div class="progress-fill" style={{ width: `${p}%`, background: props.colour ?? "#0044DD" }} />
      <span class="progress-label">{props.label ?? `${Math.round(p)} %`}</span>
    </div>
  );
}
