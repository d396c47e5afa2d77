/**
 * The laid-out graph as SVG: nodes coloured by status, edges as polylines with arrow heads; wheel zooms
 * around the pointer, dragging pans, a click on a node selects it. Fits the graph on first show.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { statusColour, textOn } from "../status.js";
import type { LayoutResult } from "./layout.js";
import type { GraphModel } from "./model.js";

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

export function GraphCanvas(props: {
  model: GraphModel;
  layout: LayoutResult;
  root: string;
  selected: string;
  onSelect: (id: string) => void;
}) {
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

  const v = view ?? { x: 0, y: 0, k: 1 };
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
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
        class="graph-svg"
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
        <g transform={`translate(${v.x},${v.y}) scale(${v.k})`}>
          <g class="edges">
            {layout.edgePoints.map((pts, i) => (pts.length > 1 ? <path key={i} d={pathOf(pts)} /> : null))}
          </g>
          <g class="nodes">
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
                  onClick={() => {
                    if (!drag.current?.moved) props.onSelect(id);
                  }}
                >
                  <title>{`${n.title}\n${n.status}`}</title>
                  <rect width={n.width} height={n.height} rx={6} fill={statusColour(n.status)} />
                  <text x={n.width / 2} y={n.height / 2} fill={textOn(n.status)}>
                    {n.label.length > 32 ? `${n.label.slice(0, 31)}…` : n.label}
                  </text>
                </g>
              );
            })}
          </g>
        </g>
      </svg>
    </div>
  );
}
