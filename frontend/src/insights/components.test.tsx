import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AlertItem } from "./Alerts";
import { ChartCard } from "./ChartCard";
import { byChannelDataset, datasetTable, kpiTable } from "./charts";
import { kpiAnswer, openAlert, resolvedAlert } from "./fixtures/api";
import { fmtOf } from "./fixtures/fmt";
import { KpiCard, KpiSection } from "./KpiCards";
import { DataTableView, TextTableView } from "./tables";
import type { Kpi } from "./types";

const zh = fmtOf("zh");
const en = fmtOf("en");

const text = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
const kpi = (key: string): Kpi => kpiAnswer.kpis.find((item) => item.key === key)!;
const card = (item: Kpi, fmt = zh) => renderToStaticMarkup(<KpiCard kpi={item} fmt={fmt} currency="CNY" />);

describe("a KPI card", () => {
  it("says 尚未统计 / Not measured yet for a KPI not measured, with no figure and no target colour", () => {
    const markup = card(kpi("reconciliation_difference_rate"));
    expect(markup).toContain('class="kpi-card kpi-unmeasured"');
    expect(text(markup)).toBe("对账差异率 尚未统计 目标 < 0.3%");
    expect(markup).not.toMatch(/>0(\.0+)?%?</);
    expect(text(card(kpi("reconciliation_difference_rate"), en))).toBe(
      "Reconciliation difference rate Not measured yet Target < 0.3%",
    );
    // no sparkline when no day was measured
    expect(markup).not.toContain("<svg");
  });

  it("colours an on-target KPI and says so in words", () => {
    const markup = card(kpi("sync_delay_rate"));
    expect(markup).toContain('class="kpi-card kpi-ok"');
    expect(text(markup)).toContain("状态同步延迟率 0.4% 达标 目标 < 1%");
    expect(text(markup)).toContain("较上期 -0.2 个百分点");
    expect(markup).toContain('class="kpi-change better"');
    // the trend, with its unmeasured day as a gap: two segments
    expect(markup.match(/<polyline/g)).toHaveLength(2);
  });

  it("colours an off-target KPI", () => {
    const markup = card(kpi("notification_reach_rate"), en);
    expect(markup).toContain('class="kpi-card kpi-bad"');
    expect(text(markup)).toContain("Notification reach rate 97% Off target Target ≥ 98%");
    expect(markup).toContain('class="kpi-change worse"');
  });

  it("shows a KPI without threshold uncoloured", () => {
    const markup = card(kpi("payment_conversion"));
    expect(markup).toContain('class="kpi-card kpi-neutral"');
    expect(text(markup)).toContain("82% 未设阈值");
    expect(text(markup)).not.toContain("目标");
  });

  it("formats minutes", () => {
    expect(text(card(kpi("avg_processing_minutes")))).toContain("平均处理时长 135.5 分钟 达标 目标 ≤ 240 分钟");
  });

  it("come as a grid of every KPI in the answer's order", () => {
    const markup = renderToStaticMarkup(<KpiSection kpis={kpiAnswer.kpis} fmt={zh} currency="CNY" />);
    expect([...markup.matchAll(/data-kpi="([a-z_]+)"/g)].map((m) => m[1])).toEqual(kpiAnswer.kpis.map((k) => k.key));
    expect(markup).toContain('aria-pressed="false"');
    expect(text(markup)).toContain("以表格查看");
  });
});

describe("the table views", () => {
  it("render a chart's dataset as an accessible table with row headers", () => {
    const markup = renderToStaticMarkup(<DataTableView table={datasetTable(byChannelDataset(kpiAnswer, zh), zh)} />);
    expect(markup).toContain("<caption");
    expect(markup.match(/<th scope="col"/g)).toHaveLength(3);
    expect(markup.match(/<th scope="row"/g)).toHaveLength(3);
    expect(text(markup)).toContain("天猫 800 ¥70,000.00");
    expect(markup).not.toContain("tmall");
  });

  it("render the KPI table", () => {
    const markup = renderToStaticMarkup(<TextTableView table={kpiTable(kpiAnswer.kpis, en)} />);
    expect(text(markup)).toContain("Reconciliation difference rate Not measured yet < 0.3% Not measured yet");
  });

  it("start as a chart with its table switch", () => {
    const markup = renderToStaticMarkup(<ChartCard dataset={byChannelDataset(kpiAnswer, zh)} fmt={zh} />);
    expect(markup).toContain('role="img"');
    expect(markup).toContain('aria-label="各渠道成交额与订单数：图表，可切换为表格查看数值"');
    expect(markup).toContain('aria-pressed="false"');
  });
});

describe("an alert", () => {
  const channelName = (code: string) => ({ tmall: "天猫" })[code] ?? code;

  it("shows severity, channel and time by name, and offers drill-down and resolve", () => {
    const markup = renderToStaticMarkup(
      <AlertItem alert={openAlert} fmt={zh} channelName={channelName} canResolve onResolved={() => undefined} />,
    );
    expect(markup).toContain("severity-critical");
    const words = text(markup);
    expect(words).toContain("严重 天猫退款率上升 天猫 发生于");
    expect(words).toContain("退款率较前 24 小时上升 32%");
    expect(words).toContain("查看明细");
    expect(words).toContain("处理");
    expect(markup).toContain('dateTime="2026-12-06T05:22:07Z"');
    expect(markup).toContain('aria-expanded="false"');
  });

  it("offers no resolve to a role that cannot, nor on a resolved alert", () => {
    const readOnly = renderToStaticMarkup(
      <AlertItem
        alert={openAlert}
        fmt={en}
        channelName={channelName}
        canResolve={false}
        onResolved={() => undefined}
      />,
    );
    expect(text(readOnly)).not.toContain("Resolve");
    const resolved = renderToStaticMarkup(
      <AlertItem alert={resolvedAlert} fmt={en} channelName={channelName} canResolve onResolved={() => undefined} />,
    );
    const words = text(resolved);
    expect(words).toContain("Warning Orders dropped to zero All channels");
    expect(words).toContain("Resolved by ops.li at");
    expect(words).not.toContain("Resolve ");
    // no drill-down rows: no drill-down button
    expect(words).not.toContain("Drill down");
  });
});
