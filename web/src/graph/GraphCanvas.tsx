/**
 * The laid-out graph as SVG: nodes coloured by status, edges as polylines with arrow heads; wheel zooms
 * around the pointer, dragging pans, a click on a node selects it. Fits the graph on first show. Panning
 * and zooming re-render only the transform, never the nodes (GraphScene is memoised).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { statusColour, textOn } from "../status.js";
import type { LayoutResult } from "./layout.js";
import { LINE_1_Y, LINE_2_Y, type GraphModel } from "./model.js";

interface View {
  x: number;
  y: number;
  k: number;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;

/** Below this scale labels cannot be read: a big graph opens centred on its root instead. */
const READABLE_SCALE = 0.3;
const FOCUS_SCALE = 0.7;
/**
 * Below these scales the parameter line (11px), then the family (12px), would be a few pixels high:
 * they are hidden rather than painted on every frame of a pan (text is most of a big graph's paint).
 */
const DETAIL_SCALE = 0.45;
const LABEL_SCALE = READABLE_SCALE;

function zoomClass(k: number): string {
  return k < LABEL_SCALE ? " far" : k < DETAIL_SCALE ? " mid" : "";
}

function fit(layout: LayoutResult, box: { width: number; height: number }): View {
  const k = Math.min(1, Math.max(MIN_SCALE, Math.min(box.width / layout.width, box.height / layout.height)));
  return { k, x: (box.width - layout.width * k) / 2, y: Math.max(0, (box.height - layout.height * k) / 2) };
}

function initialView(layout: LayoutResult, box: { width: number; height: number }, root: string): View {
  const all = fit(layout, box);
  const p = layout.positions[root];
  if (all.k >= READABLE_SCALE || !p) return all;
  return { k: FOCUS_SCALE, x: box.width / 2 - p.x * FOCUS_SCALE, y: box.height / 2 - p.y * FOCUS_SCALE };
}

function pathOf(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
}

/** What is drawn: the graph, its layout, the root (dark border) and the selected node. */
interface Drawing {
  model: GraphModel;
  layout: LayoutResult;
  root: string;
  selected: string;
}

export function GraphCanvas(props: Drawing & { onSelect: (id: string) => void }) {
  const { model, layout } = props;
  const svgRef = useRef<SVGSVGElement>(null);
  const [view, setView] = useState<View | null>(null);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);

  // Fit whenever a different layout arrives.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    setView(initialView(layout, { width: box.width || 800, height: box.height || 600 }, props.root));
  }, [layout, props.root]);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const box = svg.getBoundingClientRect();
      const px = e.clientX - box.left;
      const py = e.clientY - box.top;
      setView((v) => {
        if (!v) return v;
        const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.k * Math.exp(-e.deltaY * 0.001)));
        return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
      });
    };
    svg.addEventListener("wheel", onWheel, { passive: false });
    return () => svg.removeEventListener("wheel", onWheel);
  }, []);

  const zoomBy = (factor: number): void => {
    const box = svgRef.current?.getBoundingClientRect();
    const cx = (box?.width ?? 800) / 2;
    const cy = (box?.height ?? 600) / 2;
    setView((v) => {
      if (!v) return v;
      const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.k * factor));
      return { k, x: cx - ((cx - v.x) * k) / v.k, y: cy - ((cy - v.y) * k) / v.k };
    });
  };

  // The nodes and edges are rendered once per graph, selection or colour change; panning and zooming only
  // change the transform of the group around them (Preact skips a memoised element), so a frame of a pan
  // costs the browser's repaint and no diff of thousands of nodes.
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const scene = useMemo(
    () => (
      <GraphScene
        model={model}
        layout={layout}
        root={props.root}
        selected={props.selected}
        onClick={(id) => {
          if (!drag.current?.moved) onSelect.current(id);
        }}
      />
    ),
    [model, layout, props.root, props.selected],
  );
  const v = view ?? { x: 0, y: 0, k: 1 };
  return (
    <div class="graph-canvas">
      <div class="zoom-buttons">
        <button type="button" aria-label="Zoom in" onClick={() => zoomBy(1.25)}>
          +
        </button>
        <button type="button" aria-label="Zoom out" onClick={() => zoomBy(0.8)}>
          −
        </button>
        <button
          type="button"
          onClick={() => {
            const box = svgRef.current?.getBoundingClientRect();
            setView(fit(layout, { width: box?.width ?? 800, height: box?.height ?? 600 }));
          }}
        >
          Fit
        </button>
      </div>
      <svg
        ref={svgRef}
        class={`graph-svg${zoomClass(v.k)}`}
        role="img"
        aria-label="Dependency graph"
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, y: e.clientY, vx: v.x, vy: v.y, moved: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          const dx = e.clientX - d.x;
          const dy = e.clientY - d.y;
          if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
          if (!d.moved) svgRef.current?.setPointerCapture(e.pointerId);
          d.moved = true;
          setView((cur) => (cur ? { ...cur, x: d.vx + dx, y: d.vy + dy } : cur));
        }}
        onPointerUp={() => {
          setTimeout(() => (drag.current = null), 0);
        }}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0L10,5L0,10z" fill="#7b8794" />
          </marker>
        </defs>
        <g transform={`translate(${v.x},${v.y}) scale(${v.k})`}>{scene}</g>
      </svg>
    </div>
  );
}

/**
 * Edges and nodes. A node shows its family and, below, its parameters (both cut to fit the box, from the
 * model); its tooltip has the full name and status. One click handler for all nodes (by `data-id`).
 */
function GraphScene(props: Drawing & { onClick: (id: string) => void }) {
  const { model, layout } = props;
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  return (
    <>
      <g class="edges">
        {layout.edgePoints.map((pts, i) => (pts.length > 1 ? <path key={i} d={pathOf(pts)} /> : null))}
      </g>
      <g
        class="nodes"
        onClick={(e) => {
          const id = (e.target as Element).closest?.("g.node")?.getAttribute("data-id");
          if (id) props.onClick(id);
        }}
      >
        {Object.entries(layout.positions).map(([id, p]) => {
          const n = byId.get(id);
          if (!n) return null;
          const cls = `node${id === props.root ? " root" : ""}${id === props.selected ? " selected" : ""}`;
          return (
            <g
              key={id}
              class={cls}
              data-id={id}
              data-status={n.status}
              transform={`translate(${p.x - n.width / 2},${p.y - n.height / 2})`}
            >
              <title>{n.title}</title>
              <rect width={n.width} height={n.height} rx={6} fill={statusColour(n.status)} />
              <text
                class="node-family"
                x={n.width / 2}
                y={n.detail ? LINE_1_Y : n.height / 2}
                fill={textOn(n.status)}
              >
                {n.label}
              </text>
              {n.detail && (
                <text class="node-detail" x={n.width / 2} y={LINE_2_Y} fill={textOn(n.status)}>
                  {n.detail}
                </text>
              )}
            </g>
          );
        })}
      </g>
    </>
  );
}
