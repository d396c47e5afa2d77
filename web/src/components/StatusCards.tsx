/** The eight status cards: a count each; a click toggles that status in the filter. */
import type { StepCategory } from "../api/types.js";
import { CATEGORIES, CATEGORY_LABELS, statusColour } from "../status.js";
import { formatCount } from "../state/format.js";

export function StatusCards(props: {
  counts: Record<StepCategory, number> | null;
  selected: StepCategory[];
  onToggle: (category: StepCategory) => void;
}) {
  return (
    <div class="cards">
      {CATEGORIES.map((cat) => {
        const active = props.selected.includes(cat);
        return (
          <button
            type="button"
            key={cat}
            class={`card${active ? " active" : ""}`}
            data-category={cat}
            aria-pressed={active}
            style={{ borderTopColor: statusColour(cat) }}
            onClick={() => props.onToggle(cat)}
          >
            <span class="card-count">{props.counts ? formatCount(props.counts[cat]) : "…"}</span>{" "}
            <span class="card-label">{CATEGORY_LABELS[cat]}</span>
          </button>
        );
      })}
    </div>
  );
}
