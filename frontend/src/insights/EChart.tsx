/**
 * One ECharts chart. Only the parts the dashboard draws are registered (bar and line series, grid,
 * legend, tooltip, the canvas renderer), so that the lazy dashboard chunk carries no more of the
 * library than it uses; the option comes ready-made from `charts.ts`.
 */
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { init, use as registerParts, type ECharts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import type { ChartOption } from "./charts";

registerParts([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function EChart({ option, label, height = 280 }: { option: ChartOption; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // notMerge: a new range or channel replaces the whole picture, series that left do not linger.
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} className="dash-chart" style={{ height }} role="img" aria-label={label} />;
}
