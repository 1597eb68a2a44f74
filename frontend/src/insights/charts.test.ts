import { describe, expect, it } from "vitest";
import { mergeChannels } from "./channels";
import {
  backlogDataset,
  byChannelDataset,
  byDayDataset,
  byHourDataset,
  chartOption,
  datasetTable,
  drilldownTable,
  kpiTable,
  sparkline,
  trendTable,
  type Dataset,
} from "./charts";
import { kpiAnswer, openAlert } from "./fixtures/api";
import { fmtOf } from "./fixtures/fmt";

const zh = fmtOf("zh");
const en = fmtOf("en");

const all = (fmt = zh): Dataset[] => [
  byDayDataset(kpiAnswer, fmt),
  byHourDataset(kpiAnswer, fmt),
  byChannelDataset(kpiAnswer, fmt),
  backlogDataset(kpiAnswer, fmt),
];

interface SeriesLike {
  type: string;
  name: string;
  data: number[];
  yAxisIndex: number;
}

describe("each chart's table shows the figures the chart draws", () => {
  for (const dataset of all()) {
    it(dataset.key, () => {
      const option = chartOption(dataset, zh);
      const table = datasetTable(dataset, zh);
      const categories = (option.xAxis as { data: string[] }).data;
      const series = option.series as SeriesLike[];
      expect(table.rows.map((row) => row.label)).toEqual(categories);
      expect(table.head).toEqual([dataset.categoryLabel, ...series.map((s) => s.name)]);
      table.rows.forEach((row, i) => {
        expect(row.values).toEqual(series.map((s) => s.data[i]));
      });
      expect(table.rows.length).toBeGreaterThan(0);
    });
  }

  it("writes the table's numbers by unit", () => {
    const table = datasetTable(byChannelDataset(kpiAnswer, zh), zh);
    expect(table.head).toEqual(["渠道", "订单数", "成交额"]);
    expect(table.rows.map((row) => [row.label, ...row.texts])).toEqual([
      ["天猫", "800", "¥70,000.00"],
      ["京东", "400", "¥27,000.40"],
      ["手工单", "34", "¥1,765.00"],
    ]);
  });
});

describe("the series", () => {
  it("has one slot per day of the range; a day the answer leaves out had no orders", () => {
    const dataset = byDayDataset(kpiAnswer, zh);
    expect(dataset.categories).toEqual([
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
      "2026-12-04",
      "2026-12-05",
      "2026-12-06",
    ]);
    expect(dataset.measures[0].values).toEqual([120, 210, 0, 180, 260, 240, 224]);
    expect(dataset.measures[1].values).toEqual([9000, 16800.5, 0, 14400, 20800.9, 19200, 18564]);
    // orders as bars, GMV as a line on its own axis
    const series = chartOption(dataset, zh).series as SeriesLike[];
    expect(series.map((s) => [s.type, s.yAxisIndex])).toEqual([
      ["bar", 0],
      ["line", 1],
    ]);
  });

  it("has all 24 hours", () => {
    const dataset = byHourDataset(kpiAnswer, zh);
    expect(dataset.categories).toHaveLength(24);
    expect(dataset.categories[0]).toBe("00:00");
    expect(dataset.categories[20]).toBe("20:00");
    expect(dataset.measures[0].values[20]).toBe(410);
    expect(dataset.measures[0].values[1]).toBe(0);
    expect(dataset.measures[0].values.reduce((a, b) => a + b, 0)).toBe(634);
  });

  it("names channels and statuses in the user's language, never by code", () => {
    expect(byChannelDataset(kpiAnswer, zh).categories).toEqual(["天猫", "京东", "手工单"]);
    expect(byChannelDataset(kpiAnswer, en).categories).toEqual(["Tmall", "JD.com", "Manual"]);
    expect(backlogDataset(kpiAnswer, zh).categories).toEqual(["待支付", "已支付", "处理中"]);
    expect(backlogDataset(kpiAnswer, en).categories).toEqual(["Pending payment", "Paid", "Processing"]);
    expect(backlogDataset(kpiAnswer, zh).measures[0].values).toEqual([7, 12, 5]);
  });

  it("formats the tooltip by unit", () => {
    const series = chartOption(byDayDataset(kpiAnswer, en), en).series as {
      tooltip: { valueFormatter: (value: unknown) => string };
    }[];
    expect(series[0].tooltip.valueFormatter(1234)).toBe("1,234");
    expect(series[1].tooltip.valueFormatter(16800.5)).toBe("¥16,800.50");
  });

  it("is empty for an empty answer", () => {
    const empty = { ...kpiAnswer, series: { by_day: [], by_hour: [], by_channel: [] }, backlog: [] };
    expect(byChannelDataset(empty, zh).categories).toEqual([]);
    expect(backlogDataset(empty, zh).categories).toEqual([]);
    expect(datasetTable(backlogDataset(empty, zh), zh).rows).toEqual([]);
  });
});

describe("the KPI cards as tables", () => {
  it("has one row per KPI with value, threshold, state, previous and change", () => {
    const table = kpiTable(kpiAnswer.kpis, zh);
    expect(table.head).toEqual(["指标", "数值", "阈值", "是否达标", "上期", "变化"]);
    const rows = Object.fromEntries(table.rows.map((row) => [row.key, row.cells]));
    expect(rows.sync_delay_rate).toEqual(["状态同步延迟率", "0.4%", "< 1%", "达标", "0.6%", "-0.2 个百分点"]);
    expect(rows.notification_reach_rate).toEqual(["通知触达率", "97%", "≥ 98%", "未达标", "99%", "-2 个百分点"]);
    expect(rows.reconciliation_difference_rate).toEqual([
      "对账差异率",
      "尚未统计",
      "< 0.3%",
      "尚未统计",
      "尚未统计",
      "—",
    ]);
    expect(rows.avg_processing_minutes).toEqual([
      "平均处理时长",
      "135.5 分钟",
      "≤ 240 分钟",
      "达标",
      "150 分钟",
      "-14.5 分钟",
    ]);
  });

  it("has the sparklines' days, one column per KPI, gaps as not measured", () => {
    const table = trendTable(kpiAnswer.kpis, en);
    expect(table.head[0]).toBe("Date");
    expect(table.head[1]).toBe("Status sync delay rate");
    expect(table.rows.map((row) => row.key)).toEqual(kpiAnswer.kpis[0].trend.map((point) => point.date));
    expect(table.rows.map((row) => row.cells[1])).toEqual([
      "0%",
      "0.5%",
      "Not measured yet",
      "0.4%",
      "0.6%",
      "0.3%",
      "0.4%",
    ]);
    expect(table.rows.every((row) => row.cells[3] === "Not measured yet")).toBe(true);
  });
});

describe("sparklines", () => {
  it("leave a gap where a day was not measured, never a dip to 0", () => {
    const segments = sparkline([1, 3, null, 2, 2], 100, 20, 0);
    expect(segments).toEqual([
      [
        [0, 20],
        [25, 0],
      ],
      [
        [75, 10],
        [100, 10],
      ],
    ]);
  });

  it("draw nothing when no day was measured, and a flat line for constant values", () => {
    expect(sparkline([null, null], 100, 20)).toEqual([]);
    expect(sparkline([0.95, 0.95, 0.95], 100, 20, 0)).toEqual([
      [
        [0, 10],
        [50, 10],
        [100, 10],
      ],
    ]);
  });
});

describe("an alert's drill-down", () => {
  it("reads as a table per dimension", () => {
    expect(drilldownTable(openAlert.drilldown[0], zh)).toEqual({
      caption: "商品 SKU",
      head: ["商品 SKU", "数值"],
      rows: [
        { key: "TSHIRT-L", cells: ["纯棉T恤 L", "14"] },
        { key: "MUG-01", cells: ["陶瓷杯", "3"] },
      ],
    });
    expect(drilldownTable(openAlert.drilldown[1], en).rows[0].cells).toEqual(["广东省", "62%"]);
    expect(drilldownTable(openAlert.drilldown[1], en).caption).toBe("Region");
  });
});

describe("the channel filter's channels", () => {
  it("keeps every channel an answer named, by name", () => {
    const first = mergeChannels([], kpiAnswer.series.by_channel);
    expect(first.map((channel) => channel.code)).toEqual(["tmall", "jd", "manual"]);
    // a filtered answer names one channel: the others stay on offer
    expect(mergeChannels(first, [kpiAnswer.series.by_channel[1]])).toBe(first);
    const more = mergeChannels(first, [{ channel: "douyin", name: { zh: "抖音小店", en: "Douyin" } }]);
    expect(more.map((channel) => channel.code)).toEqual(["tmall", "jd", "manual", "douyin"]);
  });
});
