/**
 * The dependency graph of one step (SPEC 5.3, improved): what it needs, or (toggled) what needs it, from
 * `step_graph` with a node limit the page chooses, laid out by dagre in a Web Worker and drawn as SVG.
 * Past the limit it says how many steps were left out rather than fetching them.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api/methods.js";
import type { StepGraph } from "../api/types.js";
import { GraphCanvas } from "../graph/GraphCanvas.js";
import type { LayoutResult } from "../graph/layout.js";
import { buildModel, shapeKey } from "../graph/model.js";
import { quickLayout } from "../graph/quick-layout.js";
import { hasLayout, runLayout } from "../graph/run-layout.js";
import type { AppContext } from "../state/context.js";
import { useFetch } from "../state/use-fetch.js";
import { GRAPH_LIMITS } from "../state/url.js";
import { GRAPH_STATUSES, statusColour, statusLabel } from "../status.js";
import { formatCount } from "../state/format.js";

/** Above this many nodes a provisional layout is drawn first (dagre takes seconds on 1,000 nodes). */
const QUICK_FIRST_NODES = 200;

function RootForm(props: { value: string; onGo: (id: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  return (
    <form
      class="root-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onGo(text.trim());
      }}
    >
      <input
        type="text"
        placeholder="Step id"
        aria-label="Step id"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Show</button>
    </form>
  );
}

export function GraphView(props: { ctx: AppContext }) {
  const { view, update, version, report } = props.ctx;
  const { data: graph } = useFetch<StepGraph | null>(
    (signal) =>
      view.taskId
        ? api.stepGraph(
            {
              task_id: view.taskId,
              direction: view.invert ? "dependents" : "deps",
              include_done: !view.hideDone,
              max_nodes: view.limit,
            },
            signal,
          )
        : Promise.resolve(null),
    [view.taskId, view.invert, view.hideDone, view.limit, version],
    report,
  );
  const model = useMemo(() => (graph ? buildModel(graph, view.invert) : null), [graph, view.invert]);
  const [layout, setLayout] = useState<{ key: string; result: LayoutResult; final: boolean } | null>(null);
  const [laying, setLaying] = useState(false);

  // The shape on screen now: a layout that arrives for another shape is dropped. A refresh that keeps the
  // shape neither restarts nor discards the layout in progress (runLayout shares it).
  const shownKey = useRef("");
  useEffect(() => {
    if (!model || model.nodes.length === 0) return;
    const key = shapeKey(model);
    shownKey.current = key;
    if (layout?.key === key && layout.final) return;
    // A big graph is drawn at once with the provisional layout; dagre's replaces it when ready.
    if (layout?.key !== key && model.nodes.length > QUICK_FIRST_NODES && !hasLayout(key)) {
      setLayout({ key, result: quickLayout({ nodes: model.nodes, edges: model.edges }), final: false });
    }
    setLaying(true);
    runLayout(key, { nodes: model.nodes, edges: model.edges }).then(
      (result) => {
        if (shownKey.current !== key) return;
        setLayout({ key, result, final: true });
        setLaying(false);
      },
      (err: unknown) => {
        if (shownKey.current !== key) return;
        setLaying(false);
        report(err);
      },
    );
  }, [model]);

  const root = graph?.nodes[view.taskId];
  const shown = graph ? Object.keys(graph.nodes).length : 0;
  return (
    <div class="graph-view">
      <div class="graph-controls">
        <RootForm value={view.taskId} onGo={(taskId) => update({ taskId })} />
        <div class="segmented" role="group" aria-label="Direction">
          <button type="button" aria-pressed={!view.invert} onClick={() => update({ invert: false })}>
            Dependencies (upstream)
          </button>
          <button type="button" aria-pressed={view.invert} onClick={() => update({ invert: true })}>
            Dependents (what it blocks)
          </button>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={view.hideDone}
            onChange={(e) => update({ hideDone: e.currentTarget.checked })}
          />
          Hide done
        </label>
        <label>
          at most{" "}
          <select value={view.limit} onChange={(e) => update({ limit: Number(e.currentTarget.value) })}>
            {[...new Set([...GRAPH_LIMITS, view.limit])]
              .sort((a, b) => a - b)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>{" "}
          nodes
        </label>
      </div>
      {!view.taskId && (
        <p class="empty">
          Choose a step: open its details in the step list and press “Graph”, or type its id above.
        </p>
      )}
      {graph && !root && <p class="empty">Couldn't find the step {view.taskId}.</p>}
      {graph && root && (
        <>
          <div class="graph-info">
            <h2 title={view.taskId}>{root.display_name ?? view.taskId}</h2>
            {/* data-layout(-ms): for the benchmark, which waits for the final layout and reports its time */}
            <span
              class="muted"
              data-testid="graph-count"
              data-layout={layout?.final ? "final" : layout ? "provisional" : "none"}
              data-layout-ms={layout?.final ? Math.round(layout.result.ms) : undefined}
            >
              {formatCount(shown)} {shown === 1 ? "step" : "steps"} shown
              {laying && (layout ? " · tidying the layout…" : " · laying out…")}
            </span>
            {graph.left_out > 0 && (
              <p class="callout" data-testid="left-out">
                {formatCount(graph.left_out)} more steps are left out (limit {formatCount(graph.max_nodes)}{" "}
                nodes); magenta “Left out” nodes mark where the graph was cut.
              </p>
            )}
          </div>
          <ul class="legend" aria-label="Legend">
            {GRAPH_STATUSES.map((s) => (
              <li key={s} data-status={s}>
                <span class="swatch" style={{ background: statusColour(s) }} />
                {statusLabel(s)}
              </li>
            ))}
          </ul>
          {model && layout && (
            <GraphCanvas
              model={model}
              layout={layout.result}
              root={view.taskId}
              selected={view.detail}
              onSelect={(detail) => update({ detail })}
            />
          )}
        </>
      )}
    </div>
  );
}
