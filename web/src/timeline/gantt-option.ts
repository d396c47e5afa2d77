/**
 * The Gantt chart as an ECharts option: one row per bar (by start time, top to bottom), each run a
 * rectangle from its start to its end (a custom series: ECharts has no Gantt of its own), coloured with
 * the visualiser's status colours, the critical path outlined, the family written inside a bar wide
 * enough. Zoom: the wheel zooms time around the pointer, a drag pans it, the slider under the chart
 * picks a time window and the one at the right a range of rows (shift + wheel scrolls the rows).
 * `filterMode: "weakFilter"` keeps a bar that is only partly in view, and only the bars in view are drawn.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, EChartsOption } from "echarts";
import { formatSpan, formatTime } from "../state/format.js";
import { statusColour, statusLabel, textOn } from "../status.js";
import type { Bar } from "./model.js";

/** Rows shown at once when there are more: the slider at the right reaches the rest. */
export const ROWS_IN_VIEW = 80;

/** The ids of the zoom components, for reading their state back. */
export const ZOOM_IDS = { x: "zoom-x", xInside: "zoom-x-inside", y: "zoom-y", yInside: "zoom-y-inside" };

export interface GanttInput {
  rows: readonly Bar[];
  critical: ReadonlySet<string>;
  selected: string | null;
  extent: [number, number];
}

/** The tooltip's text (drawn on the canvas, so plain lines). */
export function barText(bar: Bar): string {
  const lines = [
    bar.id,
    `${bar.family} · ${statusLabel(bar.status)}`,
    `worker: ${bar.worker ?? "-"}`,
    `start: ${formatTime(bar.start / 1000)}`,
    `end: ${bar.running ? "still running" : formatTime(bar.end / 1000)}`,
    `took: ${formatSpan((bar.end - bar.start) / 1000)}${bar.running ? " so far" : ""}`,
  ];
  if (bar.error) lines.push(`error: ${bar.error}`);
  return lines.join("\n");
}

function renderer(input: GanttInput) {
  const { rows, critical, selected } = input;
  return (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => {
    const bar = rows[params.dataIndex];
    if (!bar) return null;
    const row = api.value(0) as number;
    const from = api.coord([api.value(1), row]);
    const to = api.coord([api.value(2), row]);
    const height = Math.max(1, ((api.size?.([0, 1]) as number[] | undefined)?.[1] ?? 0) * 0.72);
    const sys = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
    const x0 = Math.max(from[0] ?? 0, sys.x);
    const x1 = Math.min(Math.max(to[0] ?? 0, (from[0] ?? 0) + 1), sys.x + sys.width);
    const y = (from[1] ?? 0) - height / 2;
    if (x1 < x0 || y + height < sys.y || y > sys.y + sys.height) return null;
    const onPath = critical.has(bar.id);
    const isSelected = bar.id === selected;
    const rect = {
      type: "rect" as const,
      shape: { x: x0, y, width: Math.max(1, x1 - x0), height },
      style: {
        fill: statusColour(bar.status),
        stroke: isSelected ? "#f5a623" : onPath ? "#111111" : undefined,
        lineWidth: isSelected ? 3 : onPath ? 2 : 0,
        opacity: bar.running ? 0.75 : 1,
      },
    };
    if (x1 - x0 < 70 || height < 11) return rect;
    return {
      type: "group" as const,
      children: [
        rect,
        {
          type: "text" as const,
          silent: true,
          style: {
            text: bar.family,
            x: x0 + 4,
            y: from[1] ?? 0,
            verticalAlign: "middle" as const,
            width: x1 - x0 - 8,
            overflow: "truncate" as const,
            fill: textOn(bar.status),
            font: "11px system-ui, sans-serif",
          },
        },
      ],
    };
  };
}

/**
 * The whole option (a new chart, or a new source or filter). `shown` answers the bars drawn now: a
 * refresh replaces them without a new tooltip.
 */
export function ganttOption(
  input: GanttInput,
  shown: () => readonly Bar[] = () => input.rows,
): EChartsOption {
  const n = input.rows.length;
  const rowsEnd = n > ROWS_IN_VIEW ? (ROWS_IN_VIEW / n) * 100 : 100;
  return {
    animation: false,
    grid: { left: 140, right: 44, top: 28, bottom: 64 },
    tooltip: {
      trigger: "item",
      renderMode: "richText",
      confine: true,
      formatter: (p: unknown) => {
        const bar = shown()[(p as { dataIndex: number }).dataIndex];
        return bar ? barText(bar) : "";
      },
    },
    dataZoom: [
      {
        id: ZOOM_IDS.x,
        type: "slider",
        xAxisIndex: 0,
        filterMode: "weakFilter",
        bottom: 12,
        height: 22,
        // Its outline of the data would be computed again from every bar at each zoom.
        showDataShadow: false,
      },
      {
        id: ZOOM_IDS.xInside,
        type: "inside",
        xAxisIndex: 0,
        filterMode: "weakFilter",
        zoomOnMouseWheel: true,
        moveOnMouseMove: true,
        moveOnMouseWheel: false,
      },
      {
        id: ZOOM_IDS.y,
        type: "slider",
        yAxisIndex: 0,
        filterMode: "weakFilter",
        right: 8,
        width: 18,
        start: 0,
        end: rowsEnd,
        showDetail: false,
        showDataShadow: false,
      },
      {
        id: ZOOM_IDS.yInside,
        type: "inside",
        yAxisIndex: 0,
        filterMode: "weakFilter",
        zoomOnMouseWheel: false,
        moveOnMouseMove: false,
        moveOnMouseWheel: "shift",
      },
    ],
    ...axesAndSeries(input),
  };
}

/** What a refresh changes: the bars and the axes; the zoom stays as the user left it. */
export function axesAndSeries(input: GanttInput): Pick<EChartsOption, "xAxis" | "yAxis" | "series"> {
  const { rows, extent } = input;
  return {
    xAxis: {
      type: "time",
      position: "top",
      min: extent[0],
      max: extent[1],
      axisLabel: { hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: "#e4e7eb" } },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map((b) => b.family),
      axisTick: { show: false },
      axisLabel: { width: 128, overflow: "truncate", fontSize: 11 },
    },
    series: [
      {
        type: "custom",
        name: "runs",
        renderItem: renderer(input),
        encode: { x: [1, 2], y: 0 },
        data: rows.map((b, i) => [i, b.start, b.end]),
        clip: true,
      },
    ],
  };
}
