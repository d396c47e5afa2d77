/**
 * The charting library, Apache ECharts, with only what the charts use (tree-shaken `echarts/core`
 * imports): the custom series (the Timeline's Gantt bars), scatter and line (the duration trends), axes,
 * zoom (dataZoom), the tooltip and mark lines, drawn on a canvas. The views import this module
 * dynamically, so the other views never load it. The tooltip is drawn on the canvas too
 * (`renderMode: "richText"`): its HTML form writes style attributes, which the page's
 * Content-Security-Policy refuses.
 */
import { CustomChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  CustomChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export { echarts };
export type ECharts = echarts.ECharts;
