/** Page navigation for the step list; the server answers one page at a time. */
import { PAGE_LENGTHS } from "../state/url.js";
import { formatCount } from "../state/format.js";

export function Pager(props: {
  page: number;
  length: number;
  total: number;
  /** Rows past this position are not served (max_shown_tasks). */
  cap: number;
  onPage: (page: number) => void;
  onLength: (length: number) => void;
}) {
  const reachable = Math.min(props.total, props.cap);
  const pages = Math.max(1, Math.ceil(reachable / props.length));
  const first = props.total === 0 ? 0 : (props.page - 1) * props.length + 1;
  const last = Math.min(props.page * props.length, reachable);
  return (
    <div class="pager">
      <span class="pager-info">
        {formatCount(first)}–{formatCount(last)} of {formatCount(props.total)}
      </span>
      <button
        type="button"
        disabled={props.page <= 1}
        onClick={() => props.onPage(1)}
        aria-label="First page"
      >
        «
      </button>
      <button
        type="button"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
        aria-label="Previous page"
      >
        ‹
      </button>
      <span>
        page {props.page} / {pages}
      </span>
      <button
        type="button"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
        aria-label="Next page"
      >
        ›
      </button>
      <button
        type="button"
        disabled={props.page >= pages}
        onClick={() => props.onPage(pages)}
        aria-label="Last page"
      >
        »
      </button>
      <label>
        Rows per page{" "}
        <select value={props.length} onChange={(e) => props.onLength(Number(e.currentTarget.value))}>
          {PAGE_LENGTHS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
