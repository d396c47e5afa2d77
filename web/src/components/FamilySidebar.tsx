/** Step families grouped by namespace (text before the first "."), "Others" last; a click filters. */
import { useState } from "preact/hooks";
import { formatCount, compareText } from "../state/format.js";

interface Family {
  name: string;
  count: number;
}

export function groupFamilies(families: Family[]): [string, Family[]][] {
  const groups = new Map<string, Family[]>();
  for (const f of families) {
    const dot = f.name.indexOf(".");
    const ns = dot > 0 ? f.name.slice(0, dot) : "";
    let list = groups.get(ns);
    if (!list) groups.set(ns, (list = []));
    list.push(f);
  }
  const named = [...groups].filter(([ns]) => ns !== "").sort(([a], [b]) => compareText(a, b));
  const others = groups.get("");
  return others ? [...named, ["Others", others]] : named;
}

const MAX_LISTED = 300;

export function FamilySidebar(props: {
  families: Family[];
  selected: string;
  onSelect: (family: string) => void;
}) {
  const [filter, setFilter] = useState("");
  const shown = filter
    ? props.families.filter((f) => f.name.toLowerCase().includes(filter.toLowerCase()))
    : props.families;
  const groups = groupFamilies(shown.slice(0, MAX_LISTED));
  return (
    <nav class="sidebar" aria-label="Step families">
      <div class="sidebar-head">
        <span>Families</span>
        {props.selected && (
          <button type="button" class="link" onClick={() => props.onSelect("")}>
            Clear selection
          </button>
        )}
      </div>
      {props.families.length > 20 && (
        <input
          type="search"
          class="sidebar-filter"
          placeholder="Find a family"
          aria-label="Find a family"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      )}
      {groups.map(([ns, list]) => (
        <details open key={ns} class="ns">
          <summary>{ns}</summary>
          <ul>
            {list.map((f) => (
              <li key={f.name}>
                <button
                  type="button"
                  class={`family${f.name === props.selected ? " active" : ""}`}
                  data-family={f.name}
                  onClick={() => props.onSelect(f.name === props.selected ? "" : f.name)}
                >
                  <span class="family-name">{f.name}</span> <span class="count">{formatCount(f.count)}</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      ))}
      {shown.length > MAX_LISTED && <p class="muted">{shown.length - MAX_LISTED} more: type to find them.</p>}
    </nav>
  );
}
