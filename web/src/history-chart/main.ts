/**
 * The chart of `/tasklist/{name}` (a server-rendered history page): the family's run durations over
 * time, each finished run a point at its start (successes green, failures red triangles), p50 and p95 of
 * the successful runs as lines; wheel / slider to zoom in time; a click opens the run's page. It reads the
 * page's data from `<script type="application/json" id="trend-data">` (src/history/pages/trends.ts) and
 * is built to a fixed name, `history-chart.js` (web/vite.config.ts), so the server can link it.
 *
 * What it drew is on the chart's element, for the tests: `data-points`, `data-failed`, `data-drawn`.
 */
import { echarts } from "../charts/echarts.js";
import { formatSpan, formatTime } from "../state/format.js";
import { STATUS_COLOURS } from "../status.js";

type Point = [number, number, string, number, string, string | null];

interface TrendChartData {
  family: string;
  p50Ms: number | null;
  p95Ms: number | null;
  points: Point[];
}

function draw(el: HTMLElement, data: TrendChartData): void {
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  const failed = (p: Point): boolean => p.at(2) === "FAILED" || p.at(2) === "DISABLED";
  const series = (name: string, points: Point[], colour: string, symbol: string) => ({
    type: "scatter" as const,
    name,
    symbol,
    symbolSize: symbol === "triangle" ? 11 : 8,
    itemStyle: { color: colour },
    data: points.map((p) => ({
      value: [p[0], p[1] / 1000],
      run: p[3],
      step: p[4],
      error: p[5],
      status: p[2],
    })),
  });
  const lines = [
    ["p50", data.p50Ms],
    ["p95", data.p95Ms],
  ].filter((l): l is [string, number] => l[1] !== null);
  chart.setOption({
    animation: false,
    grid: { left: 70, right: 24, top: 36, bottom: 64 },
    legend: { top: 6 },
    tooltip: {
      trigger: "item",
      renderMode: "richText",
      formatter: (p: unknown) => {
        const d = (
          p as {
            data: {
              value: [number, number];
              run: number;
              step: string;
              error: string | null;
              status: string;
            };
          }
        ).data;
        const text = [
          `run ${d.run} · ${d.status}`,
          d.step,
          `start: ${formatTime(d.value[0] / 1000)}`,
          `took: ${formatSpan(d.value[1])}`,
        ];
        if (d.error) text.push(`error: ${d.error}`);
        return text.join("\n");
      },
    },
    xAxis: { type: "time", splitLine: { show: true, lineStyle: { color: "#e4e7eb" } } },
    yAxis: {
      type: "value",
      name: "seconds",
      min: 0,
      axisLabel: { formatter: (v: number) => formatSpan(v) },
    },
    dataZoom: [
      { type: "slider", xAxisIndex: 0, bottom: 12, height: 22, filterMode: "none" },
      { type: "inside", xAxisIndex: 0, filterMode: "none" },
    ],
    series: [
      {
        ...series(
          "Done",
          data.points.filter((p) => !failed(p)),
          STATUS_COLOURS.DONE,
          "circle",
        ),
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { color: "#52606d", type: "dashed" },
          label: {
            position: "insideEndTop",
            formatter: (p: { name: string; value: number }) => `${p.name} ${formatSpan(p.value)}`,
          },
          data: lines.map(([name, ms]) => ({ name, yAxis: ms / 1000 })),
        },
      },
      series("Failed", data.points.filter(failed), STATUS_COLOURS.FAILED, "triangle"),
    ],
  });
  let drawn = 0;
  chart.on("finished", () => {
    el.dataset.drawn = String(++drawn);
  });
  chart.on("click", (p) => {
    const run = (p.data as { run?: number } | undefined)?.run;
    if (typeof run === "number") window.location.assign(`/history/by_id/${run}`);
  });
  el.dataset.points = String(data.points.length);
  el.dataset.failed = String(data.points.filter(failed).length);
  new ResizeObserver(() => chart.resize()).observe(el);
}

const el = document.getElementById("trend-chart");
const source = document.getElementById("trend-data");
if (el && source) draw(el, JSON.parse(source.textContent ?? "{}") as TrendChartData);
