/** One page of steps; column headers sort, a row opens the step's details. */
import type { StepPageSort, StepRow } from "../api/types.js";
import { formatDuration, formatTime, paramText } from "../state/format.js";
import { ProgressBar } from "./ProgressBar.js";
import { StatusBadge } from "./StatusBadge.js";

interface Column {
  label: string;
  sort?: StepPageSort;
  className?: string;
}

const COLUMNS: Column[] = [
  { label: "Status", sort: "default" },
  { label: "Family", sort: "name" },
  { label: "Parameters", className: "wide" },
  { label: "Worker", className: "hide-narrow" },
  { label: "Started", sort: "started", className: "hide-narrow hide-medium" },
  { label: "Updated", sort: "updated" },
  { label: "Message", className: "hide-narrow" },
  { label: "Priority", sort: "priority", className: "hide-narrow hide-medium" },
];

function workerHost(worker: string | null): string {
  if (!worker) return "";
  const m = /host=([^,)]+)/.exec(worker);
  const pid = /pid=(\d+)/.exec(worker);
  return m ? `${m[1]}${pid ? ` (pid ${pid[1]})` : ""}` : worker;
}

/** Date and time, wrapped (when the column is narrow) between the two, never inside the date. */
function TimeText(props: { epochSeconds: number | null | "UNKNOWN" }) {
  const [date, time] = formatTime(props.epochSeconds).split(" ");
  return time ? (
    <>
      <span class="nowrap">{date}</span> <span class="nowrap">{time}</span>
    </>
  ) : (
    <>{date}</>
  );
}

/** A family name that may wrap after each "." of its namespace (never inside a word). */
function breakable(name: string) {
  const parts = name.split(".");
  return parts.map((part, i) => (i < parts.length - 1 ? [`${part}.`, <wbr key={i} />] : part));
}

/**
 * Every column stays inside the table's width: text wraps (parameters up to three lines, the full text
 * in the tooltip), and the least needed columns give way when the table itself is narrow (styles.css,
 * by the width of the list, not of the window: the details panel and the sidebar take their share).
 */
export function StepTable(props: {
  rows: StepRow[];
  sort: StepPageSort;
  order: "asc" | "desc";
  selected: string;
  now: number;
  onSort: (sort: StepPageSort, order: "asc" | "desc") => void;
  onOpen: (taskId: string) => void;
}) {
  const { rows, sort, order } = props;
  return (
    <div class="table-wrap">
      <table class="steps">
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = c.sort !== undefined && c.sort === sort;
              const ariaSort = active ? (order === "asc" ? "ascending" : "descending") : undefined;
              return (
                <th key={c.label} class={c.className} aria-sort={ariaSort}>
                  {c.sort ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() => {
                        const s = c.sort as StepPageSort;
                        props.onSort(s, active && order === "asc" && s !== "default" ? "desc" : "asc");
                      }}
                    >
                      {c.label}
                      {active && c.sort !== "default" ? (order === "asc" ? " ▲" : " ▼") : ""}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.task_id}
              data-task-id={r.task_id}
              class={r.task_id === props.selected ? "selected" : undefined}
              tabIndex={0}
              onClick={() => props.onOpen(r.task_id)}
              onKeyDown={(e) => e.key === "Enter" && props.onOpen(r.task_id)}
            >
              <td>
                <StatusBadge status={r.category} />
              </td>
              <td class="family-cell">{breakable(r.name)}</td>
              <td class="wide params" title={paramText(r.params)}>
                <div class="clamp">{paramText(r.params)}</div>
              </td>
              <td class="hide-narrow worker-cell">{workerHost(r.worker_running)}</td>
              <td class="hide-narrow hide-medium">
                <TimeText epochSeconds={r.start_time} />
              </td>
              <td>
                <TimeText epochSeconds={r.last_updated} />
                {r.status === "RUNNING" && r.time_running !== null && (
                  <span class="muted"> · {formatDuration(props.now - r.time_running)}</span>
                )}
              </td>
              <td class="hide-narrow message">
                {r.status_message && <div class="status-message">{r.status_message}</div>}
                {/* A finished step's last progress figure would only mislead ("75 %" on a done step). */}
                {r.progress_percentage !== null &&
                  (r.status === "RUNNING" || r.status === "BATCH_RUNNING") && (
                    <ProgressBar percent={r.progress_percentage} />
                  )}
              </td>
              <td class="hide-narrow hide-medium num">{r.priority}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
