/**
 * The step list (SPEC 5.2, improved): status cards with counts, families, a search, and one page of
 * rows from `step_page`, so the page never holds more steps than it shows.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/methods.js";
import type { StepCategory, StepPage } from "../api/types.js";
import { FamilySidebar } from "../components/FamilySidebar.js";
import { Pager } from "../components/Pager.js";
import { StatusCards } from "../components/StatusCards.js";
import { StepTable } from "../components/StepTable.js";
import type { AppContext } from "../state/context.js";
import { useFetch } from "../state/use-fetch.js";
import { CATEGORY_LABELS } from "../status.js";
import { formatCount } from "../state/format.js";

const SEARCH_DEBOUNCE_MS = 300;

function SearchBox(props: { value: string; onChange: (text: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  useEffect(() => {
    if (text === props.value) return;
    const timer = window.setTimeout(() => props.onChange(text), SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
    // props.onChange is stable for a given view; only the text restarts the wait
  }, [text]);
  return (
    <input
      type="search"
      class="search"
      placeholder="Search steps (all words, in name, parameters or id)"
      aria-label="Search steps"
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
    />
  );
}

function summary(page: StepPage, statuses: StepCategory[], family: string, search: string): string {
  const parts: string[] = [];
  if (statuses.length) parts.push(statuses.map((s) => CATEGORY_LABELS[s].toLowerCase()).join(", "));
  if (family) parts.push(`of family ${family}`);
  if (search) parts.push(`matching "${search}"`);
  const n = `${formatCount(page.total)} ${page.total === 1 ? "step" : "steps"}`;
  return parts.length ? `${n}: ${parts.join(" ")}` : n;
}

export function StepsView(props: { ctx: AppContext }) {
  const { view, update, version, report } = props.ctx;
  const { data: page, loading } = useFetch(
    (signal) =>
      api.stepPage(
        {
          statuses: view.statuses,
          family: view.family || null,
          search: view.search || null,
          sort: view.sort,
          order: view.order,
          offset: (view.page - 1) * view.length,
          limit: view.length,
        },
        signal,
      ),
    [
      view.statuses.join(","),
      view.family,
      view.search,
      view.sort,
      view.order,
      view.page,
      view.length,
      version,
    ],
    report,
  );
  const now = Date.now() / 1000;

  const toggle = (cat: StepCategory): void => {
    const statuses = view.statuses.includes(cat)
      ? view.statuses.filter((s) => s !== cat)
      : [...view.statuses, cat];
    update({ statuses, page: 1 });
  };

  return (
    <div class="steps-view">
      <StatusCards counts={page?.counts ?? null} selected={view.statuses} onToggle={toggle} />
      <div class="steps-body">
        <FamilySidebar
          families={page?.families ?? []}
          selected={view.family}
          onSelect={(family) => update({ family, page: 1 })}
        />
        <section class="steps-main" aria-busy={loading}>
          <div class="toolbar">
            <SearchBox value={view.search} onChange={(search) => update({ search, page: 1 })} />
            {(view.statuses.length > 0 || view.family || view.search) && (
              <button type="button" onClick={() => update({ statuses: [], family: "", search: "", page: 1 })}>
                Clear filters
              </button>
            )}
          </div>
          {page && (
            <>
              <p class="summary" data-testid="summary">
                {summary(page, view.statuses, view.family, view.search)}
                {page.total > page.max_shown_tasks &&
                  ` (only the first ${formatCount(page.max_shown_tasks)} can be paged through: narrow the filter)`}
              </p>
              {page.rows.length === 0 ? (
                <p class="empty">No step matches.</p>
              ) : (
                <StepTable
                  rows={page.rows}
                  sort={view.sort}
                  order={view.order}
                  selected={view.detail}
                  now={now}
                  onSort={(sort, order) => update({ sort, order, page: 1 })}
                  onOpen={(detail) => update({ detail })}
                />
              )}
              <Pager
                page={view.page}
                length={view.length}
                total={page.total}
                cap={page.max_shown_tasks}
                onPage={(p) => update({ page: p })}
                onLength={(length) => update({ length, page: 1 })}
              />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
