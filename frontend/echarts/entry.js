// What the pages draw (static/js/stats.js, static/js/surveys.js), and nothing else: bar, line and pie
// charts; grid, tooltip and legend; the SVG renderer. Add a chart or component here when a page needs
// one, then `make echarts`. The ZH and EN locales are built into echarts/core.
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

window.echarts = echarts;
