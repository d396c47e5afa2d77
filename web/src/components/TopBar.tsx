/** The dark top bar: title, the six views (+ History when on), pause switch, auto-refresh toggle, user. */
import type { Tab } from "../state/url.js";
import { SessionMenu } from "./SessionMenu.js";
import { useActionRefusal } from "../state/session.js";

const NAV: [Tab, string][] = [
  ["steps", "Steps"],
  ["graph", "Graph"],
  ["timeline", "Timeline"],
  ["workers", "Workers"],
  ["resources", "Resources"],
  ["runs", "Runs"],
];

export function TopBar(props: {
  tab: Tab;
  onTab: (tab: Tab) => void;
  hasHistory: boolean;
  pause: { enabled: boolean; paused: boolean };
  onPause: () => void;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
  onRefresh: () => void;
}) {
  const refusal = useActionRefusal();
  return (
    <header class="topbar">
      <a class="title" href="#tab=steps">
        luigi-ts
      </a>
      <nav class="nav" aria-label="Views">
        {NAV.map(([tab, label]) => (
          <a
            key={tab}
            href={`#tab=${tab}`}
            class={props.tab === tab ? "active" : undefined}
            aria-current={props.tab === tab ? "page" : undefined}
            onClick={(e) => {
              e.preventDefault();
              props.onTab(tab);
            }}
          >
            {label}
          </a>
        ))}
        {props.hasHistory && <a href="../../history">History</a>}
      </nav>
      <div class="topbar-right">
        {props.pause.enabled && (
          <button
            type="button"
            class={`pause${props.pause.paused ? " paused" : ""}`}
            aria-pressed={props.pause.paused}
            title={refusal ?? (props.pause.paused ? "Resume the scheduler" : "Pause the scheduler")}
            disabled={refusal !== undefined}
            onClick={props.onPause}
          >
            {props.pause.paused ? "Scheduler paused" : "Scheduler running"}
          </button>
        )}
        <label class="switch" title="Reload the data every 5 seconds">
          <input
            type="checkbox"
            checked={props.autoRefresh}
            aria-label="Auto-refresh"
            onChange={(e) => props.onAutoRefresh(e.currentTarget.checked)}
          />
          Auto-refresh
        </label>
        <button type="button" class="refresh" aria-label="Refresh now" onClick={props.onRefresh}>
          ⟳
        </button>
        <SessionMenu />
      </div>
    </header>
  );
}
