/**
 * The dashboard's data shaping, pure: the KPI answer → a `Dataset` per chart, and a dataset → the
 * ECharts option that draws it *and* the HTML table that reads it. Chart and table come from the
 * same dataset, so the table view always shows the figures the chart draws.
 *
 * Only ECharts *types* are imported here: the library itself loads with the chart component.
 */
import type { BarSeriesOption, LineSeriesOption } from "echarts/charts";
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from "echarts/components";
import type { ComposeOption } from "echarts/core";
import type { MessageKey } from "../i18n/messages";
import {
  addDays,
  changeText,
  formatMoney,
  formatNumber,
  formatValue,
  kpiChange,
  kpiState,
  kpiValueText,
  STATE_KEYS,
  thresholdText,
  type Fmt,
} from "./format";
import type { Drilldown, Kpi, KpiAnswer } from "./types";

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export type MeasureUnit = "count" | "money";

export interface Measure {
  key: string;
  label: string;
  unit: MeasureUnit;
  /** One value per category, in the categories' order. */
  values: number[];
}

export type DatasetKey = "by_day" | "by_hour" | "by_channel" | "backlog";

export interface Dataset {
  key: DatasetKey;
  title: string;
  /** The header of the category column (日期, 时段, 渠道, 状态). */
  categoryLabel: string;
  /** What the user reads: dates, "09:00", channel and status names — never codes. */
  categories: string[];
  measures: Measure[];
  /** `trend`: the first measure as bars, the others as lines on their own axis; `bars`: all bars. */
  style: "trend" | "bars";
  currency: string;
}

const amount = (value: string | number) => {
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : 0;
};

function ordersAndGmv(fmt: Fmt, orders: number[], gmv: number[]): Measure[] {
  return [
    { key: "orders", label: fmt.t("dash.measure.orders"), unit: "count", values: orders },
    { key: "gmv", label: fmt.t("dash.measure.gmv"), unit: "money", values: gmv },
  ];
}

/** The days of the range, from..to inclusive. */
export function rangeDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * GMV and orders per day of the range. A day the answer leaves out had no orders: it is drawn as 0
 * (a sum over no orders), so that the axis keeps one slot per day.
 */
export function byDayDataset(answer: KpiAnswer, fmt: Fmt): Dataset {
  const found = new Map(answer.series.by_day.map((point) => [point.date, point]));
  const days = rangeDays(answer.range.from, answer.range.to);
  for (const date of found.keys()) if (!days.includes(date)) days.push(date);
  days.sort();
  return {
    key: "by_day",
    title: fmt.t("dash.chart.byDay"),
    categoryLabel: fmt.t("dash.col.date"),
    categories: days,
    measures: ordersAndGmv(
      fmt,
      days.map((day) => found.get(day)?.orders ?? 0),
      days.map((day) => amount(found.get(day)?.gmv ?? 0)),
    ),
    style: "trend",
    currency: answer.totals.currency,
  };
}

export const hourLabel = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/** GMV and orders per hour of the day (Asia/Shanghai), all 24 hours; an hour left out had no orders. */
export function byHourDataset(answer: KpiAnswer, fmt: Fmt): Dataset {
  const found = new Map(answer.series.by_hour.map((point) => [point.hour, point]));
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  return {
    key: "by_hour",
    title: fmt.t("dash.chart.byHour"),
    categoryLabel: fmt.t("dash.col.hour"),
    categories: hours.map(hourLabel),
    measures: ordersAndGmv(
      fmt,
      hours.map((hour) => found.get(hour)?.orders ?? 0),
      hours.map((hour) => amount(found.get(hour)?.gmv ?? 0)),
    ),
    style: "trend",
    currency: answer.totals.currency,
  };
}

/** GMV and orders per channel, named in the user's language (天猫, not tmall). */
export function byChannelDataset(answer: KpiAnswer, fmt: Fmt): Dataset {
  const rows = answer.series.by_channel;
  return {
    key: "by_channel",
    title: fmt.t("dash.chart.byChannel"),
    categoryLabel: fmt.t("dash.col.channel"),
    categories: rows.map((row) => fmt.pick(row.name, row.channel)),
    measures: ordersAndGmv(
      fmt,
      rows.map((row) => row.orders),
      rows.map((row) => amount(row.gmv)),
    ),
    style: "bars",
    currency: answer.totals.currency,
  };
}

/** An order status by its name (已支付); its code only if the app has no name for it. */
export function statusName(status: string, fmt: Fmt): string {
  const key = `orderStatus.${status}` as MessageKey;
  const text = fmt.t(key);
  return text === key ? status : text;
}

/** Orders waiting in each status. */
export function backlogDataset(answer: KpiAnswer, fmt: Fmt): Dataset {
  return {
    key: "backlog",
    title: fmt.t("dash.chart.backlog"),
    categoryLabel: fmt.t("dash.col.status"),
    categories: answer.backlog.map((row) => statusName(row.status, fmt)),
    measures: [
      {
        key: "count",
        label: fmt.t("dash.measure.backlog"),
        unit: "count",
        values: answer.backlog.map((row) => row.count),
      },
    ],
    style: "bars",
    currency: answer.totals.currency,
  };
}

export function measureText(measure: Pick<Measure, "unit">, value: number, fmt: Fmt, currency: string): string {
  return measure.unit === "money" ? formatMoney(value, currency, fmt.language) : formatNumber(value, fmt.language);
}

function compact(value: number, fmt: Fmt): string {
  return new Intl.NumberFormat(fmt.language === "zh" ? "zh-CN" : "en-GB", {
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(value);
}

/** The ECharts option that draws a dataset: one axis per measure, values formatted by unit in the tooltip. */
export function chartOption(dataset: Dataset, fmt: Fmt): ChartOption {
  const two = dataset.measures.length > 1;
  return {
    grid: { left: 56, right: two ? 64 : 24, top: two ? 40 : 20, bottom: 28 },
    tooltip: { trigger: "axis" },
    legend: two ? { top: 0, data: dataset.measures.map((measure) => measure.label) } : { show: false },
    xAxis: { type: "category", data: dataset.categories },
    yAxis: dataset.measures.map((measure, index) => ({
      type: "value",
      name: two ? measure.label : undefined,
      position: index === 0 ? "left" : "right",
      splitLine: { show: index === 0 },
      minInterval: measure.unit === "count" ? 1 : undefined,
      axisLabel: {
        formatter: (value: number) => (measure.unit === "money" ? `¥${compact(value, fmt)}` : compact(value, fmt)),
      },
    })),
    series: dataset.measures.map((measure, index) => {
      const valueFormatter = (value: unknown) =>
        typeof value === "number" ? measureText(measure, value, fmt, dataset.currency) : String(value ?? "");
      return index > 0 && dataset.style === "trend"
        ? {
            type: "line",
            name: measure.label,
            yAxisIndex: index,
            data: measure.values,
            // dots on a dozen points help; on 24 hours or 30 days they only crowd the line
            showSymbol: dataset.categories.length <= 12,
            tooltip: { valueFormatter },
          }
        : { type: "bar", name: measure.label, yAxisIndex: index, data: measure.values, tooltip: { valueFormatter } };
    }),
  };
}

export interface TableRow {
  key: string;
  label: string;
  /** The figures of the row, one per column after the first, as drawn by the chart. */
  values: number[];
  texts: string[];
}

export interface DataTable {
  caption: string;
  head: string[];
  rows: TableRow[];
}

/** The table that reads a dataset: one row per category, one column per measure. */
export function datasetTable(dataset: Dataset, fmt: Fmt): DataTable {
  return {
    caption: dataset.title,
    head: [dataset.categoryLabel, ...dataset.measures.map((measure) => measure.label)],
    rows: dataset.categories.map((label, index) => {
      const values = dataset.measures.map((measure) => measure.values[index]);
      return {
        key: `${index}`,
        label,
        values,
        texts: values.map((value, i) => measureText(dataset.measures[i], value, fmt, dataset.currency)),
      };
    }),
  };
}

// --- the KPI cards as tables ----------------------------------------------------------------

export interface TextTable {
  caption: string;
  head: string[];
  rows: { key: string; cells: string[] }[];
}

/** Every card of the KPI grid as a table row: title, value, threshold, state, previous value, change. */
export function kpiTable(kpis: Kpi[], fmt: Fmt, currency = "CNY"): TextTable {
  return {
    caption: fmt.t("dash.kpis.title"),
    head: [
      "dash.col.kpi",
      "dash.col.value",
      "dash.col.threshold",
      "dash.col.state",
      "dash.col.previous",
      "dash.col.change",
    ].map((key) => fmt.t(key as MessageKey)),
    rows: kpis.map((kpi) => {
      const change = kpiChange(kpi);
      return {
        key: kpi.key,
        cells: [
          fmt.pick(kpi.title, kpi.key),
          kpiValueText(kpi, fmt, currency),
          thresholdText(kpi, fmt, currency),
          fmt.t(STATE_KEYS[kpiState(kpi)]),
          kpi.previous === null ? fmt.t("dash.kpi.notMeasured") : formatValue(kpi.unit, kpi.previous, fmt, currency),
          change ? changeText(kpi.unit, change, fmt, currency) : "—",
        ],
      };
    }),
  };
}

/** The sparklines as a table: one row per day, one column per KPI (what each card's line draws). */
export function trendTable(kpis: Kpi[], fmt: Fmt, currency = "CNY"): TextTable {
  const dates = [...new Set(kpis.flatMap((kpi) => kpi.trend.map((point) => point.date)))].sort();
  const byKpi = kpis.map((kpi) => new Map(kpi.trend.map((point) => [point.date, point.value])));
  return {
    caption: fmt.t("dash.kpis.trend"),
    head: [fmt.t("dash.col.date"), ...kpis.map((kpi) => fmt.pick(kpi.title, kpi.key))],
    rows: dates.map((date) => ({
      key: date,
      cells: [
        date,
        ...kpis.map((kpi, i) => {
          const value = byKpi[i].get(date);
          return value === null || value === undefined
            ? fmt.t("dash.kpi.notMeasured")
            : formatValue(kpi.unit, value, fmt, currency);
        }),
      ],
    })),
  };
}

/** An alert's drill-down along one dimension (SKU, courier, region) as a table of names and figures. */
export function drilldownTable(drilldown: Drilldown, fmt: Fmt): TextTable {
  const key = `dash.alerts.dimension.${drilldown.dimension}` as MessageKey;
  const dimension = fmt.t(key) === key ? drilldown.dimension : fmt.t(key);
  return {
    caption: dimension,
    head: [dimension, fmt.t("dash.alerts.col.value")],
    rows: drilldown.rows.map((row) => ({
      key: row.key,
      cells: [
        row.label || row.key,
        typeof row.value === "number" ? formatNumber(row.value, fmt.language) : String(row.value),
      ],
    })),
  };
}

// --- sparklines -----------------------------------------------------------------------------

export type Point = [number, number];

/**
 * A sparkline's points in a `width` × `height` box (y grows downwards): one segment per run of
 * measured days, so a day that could not be measured is a gap, never a dip to 0.
 */
export function sparkline(values: (number | null)[], width: number, height: number, pad = 2): Point[][] {
  const measured = values.filter((value): value is number => value !== null);
  if (!measured.length) return [];
  const min = Math.min(...measured);
  const max = Math.max(...measured);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const x = (index: number) => (values.length > 1 ? pad + index * step : width / 2);
  const y = (value: number) => (max === min ? height / 2 : pad + ((max - value) / (max - min)) * (height - 2 * pad));
  const segments: Point[][] = [];
  let current: Point[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push([clean2(x(index)), clean2(y(value))]);
  });
  if (current.length) segments.push(current);
  return segments;
}

const clean2 = (n: number) => Math.round(n * 100) / 100;
