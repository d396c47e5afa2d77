/**
 * The Gantt chart on its canvas (ECharts, loaded on first use). A new `resetKey` (another source, window
 * or worker) draws it afresh; other changes (a refresh) replace the bars and keep the zoom.
 *
 * What it drew is on its element, for scripts and the tests (a canvas has no DOM to read):
 * `data-bars` (bars given), `data-drawn` (renders finished so far), `data-draw-ms` (the last one's time
 * from setOption to ECharts' `finished`), `data-from` / `data-to` (the time in view, epoch ms), and the
 * element's `ganttProbe`: `pixelOf(id)` (the centre of a bar in view, page pixels, or null).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type * as EChartsSetup from "../charts/echarts.js";
import type { ECharts } from "../charts/echarts.js";
import { axesAndSeries, ganttOption, type GanttInput } from "./gantt-option.js";
import type { Bar } from "./model.js";

type EChartsModule = typeof EChartsSetup;

export interface GanttProbe {
  pixelOf(id: string): [number, number] | null;
}

/** The time axis' extent as zoomed (ECharts' model: the option keeps only the zoom's percentages). */
function visibleWindow(chart: ECharts): [number, number] | null {
  const model = (
    chart as unknown as {
      getModel(): {
        getComponent(type: string, index: number): { axis?: { scale: { getExtent(): number[] } } };
      };
    }
  ).getModel();
  const extent = model.getComponent("xAxis", 0)?.axis?.scale.getExtent();
  return extent && extent.length === 2 ? [extent[0] as number, extent[1] as number] : null;
}

export function GanttChart(props: {
  rows: readonly Bar[];
  critical: ReadonlySet<string>;
  selected: string | null;
  extent: [number, number];
  resetKey: string;
  onSelect: (bar: Bar | null) => void;
  onError: (err: unknown) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);
  const [lib, setLib] = useState<EChartsModule | null>(null);
  const drawnKey = useRef<string | null>(null);
  const input = useRef<GanttInput>({ rows: [], critical: new Set(), selected: null, extent: [0, 1] });
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const drawStart = useRef(0);

  useEffect(() => {
    import("../charts/echarts.js").then((mod) => setLib(mod), props.onError);
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!lib || !el) return;
    const chart = lib.echarts.init(el, undefined, { renderer: "canvas" });
    chartRef.current = chart;
    let drawn = 0;
    const showWindow = (): void => {
      const w = visibleWindow(chart);
      if (!w) return;
      el.dataset.from = String(Math.round(w[0]));
      el.dataset.to = String(Math.round(w[1]));
    };
    chart.on("finished", () => {
      if (drawStart.current > 0) {
        el.dataset.drawMs = String(Math.round(performance.now() - drawStart.current));
        drawStart.current = 0;
      }
      el.dataset.drawn = String(++drawn);
      showWindow();
    });
    chart.on("datazoom", showWindow);
    chart.on("click", (p) => onSelect.current(input.current.rows[p.dataIndex] ?? null));
    chart.getZr().on("click", (e) => {
      if (!e.target) onSelect.current(null);
    });
    const probe: GanttProbe = {
      pixelOf(id) {
        const i = input.current.rows.findIndex((b) => b.id === id);
        const bar = input.current.rows[i];
        if (!bar) return null;
        const w = visibleWindow(chart) ?? input.current.extent;
        const mid = (Math.max(bar.start, w[0]) + Math.min(bar.end, w[1])) / 2;
        const at = chart.convertToPixel({ seriesIndex: 0 }, [mid, i]) as number[] | undefined;
        if (!at) return null;
        const r = el.getBoundingClientRect();
        return [r.left + (at[0] ?? 0), r.top + (at[1] ?? 0)];
      },
    };
    (el as unknown as { ganttProbe: GanttProbe }).ganttProbe = probe;
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.dispose();
      chartRef.current = null;
      drawnKey.current = null;
    };
  }, [lib]);

  useEffect(() => {
    const chart = chartRef.current;
    const el = box.current;
    if (!chart || !el) return;
    input.current = {
      rows: props.rows,
      critical: props.critical,
      selected: props.selected,
      extent: props.extent,
    };
    el.dataset.bars = String(props.rows.length);
    drawStart.current = performance.now();
    if (drawnKey.current !== props.resetKey) {
      drawnKey.current = props.resetKey;
      chart.setOption(
        ganttOption(input.current, () => input.current.rows),
        { notMerge: true },
      );
    } else {
      chart.setOption(axesAndSeries(input.current), { replaceMerge: ["series"] });
    }
  }, [lib, props.rows, props.critical, props.selected, props.extent, props.resetKey]);

  return (
    <div class="gantt" ref={box} data-testid="gantt" data-bars="0" data-drawn="0">
      {!lib && <p class="muted">Loading the chart…</p>}
    </div>
  );
}
