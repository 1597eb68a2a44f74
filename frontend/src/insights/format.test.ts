import { describe, expect, it } from "vitest";
import { kpiAnswer } from "./fixtures/api";
import { fmtOf } from "./fixtures/fmt";
import {
  addDays,
  changeText,
  formatClock,
  formatInstant,
  formatMoney,
  formatValue,
  kpiChange,
  kpiChangeText,
  kpiState,
  kpiValueText,
  presetRange,
  rangeProblem,
  shanghaiToday,
  thresholdText,
} from "./format";
import type { Kpi } from "./types";

const zh = fmtOf("zh");
const en = fmtOf("en");
const kpi = (key: string): Kpi => {
  const found = kpiAnswer.kpis.find((item) => item.key === key);
  if (!found) throw new Error(key);
  return found;
};

describe("a KPI's value by its unit", () => {
  it("shows a ratio as a percentage", () => {
    expect(formatValue("ratio", 0.004, zh)).toBe("0.4%");
    expect(formatValue("ratio", 0.98, en)).toBe("98%");
    expect(formatValue("ratio", 0.0123, en)).toBe("1.23%");
    expect(formatValue("ratio", 0.07, zh)).toBe("7%");
    expect(formatValue("ratio", 0, zh)).toBe("0%");
  });

  it("shows minutes with the unit in the user's language", () => {
    expect(formatValue("minutes", 135.5, zh)).toBe("135.5 分钟");
    expect(formatValue("minutes", 135.5, en)).toBe("135.5 min");
    expect(formatValue("minutes", 1440, en)).toBe("1,440 min");
  });

  it("shows money as ¥ with two decimals and counts grouped", () => {
    expect(formatValue("money", 98765.4, zh)).toBe("¥98,765.40");
    expect(formatValue("money", 98765.4, en)).toBe("¥98,765.40");
    expect(formatMoney("98765.40", "CNY", "zh")).toBe("¥98,765.40");
    expect(formatMoney(-12, "CNY", "en")).toBe("-¥12.00");
    expect(formatValue("count", 1234, zh)).toBe("1,234");
  });

  it("says a KPI is not measured yet instead of showing 0", () => {
    const reconciliation = kpi("reconciliation_difference_rate");
    expect(kpiValueText(reconciliation, zh)).toBe("尚未统计");
    expect(kpiValueText(reconciliation, en)).toBe("Not measured yet");
    expect(kpiState(reconciliation)).toBe("unmeasured");
    expect(kpiChangeText(reconciliation, zh)).toBe("");
    // measured: false wins even if a value slipped through
    expect(kpiValueText({ ...kpi("sync_delay_rate"), measured: false }, zh)).toBe("尚未统计");
    // and a measured zero is a real 0
    expect(kpiValueText({ ...kpi("sync_delay_rate"), value: 0 }, zh)).toBe("0%");
  });
});

describe("thresholds and on / off target", () => {
  it("writes the threshold with its comparison", () => {
    expect(thresholdText(kpi("sync_delay_rate"), zh)).toBe("< 1%");
    expect(thresholdText(kpi("notification_reach_rate"), en)).toBe("≥ 98%");
    expect(thresholdText(kpi("avg_processing_minutes"), zh)).toBe("≤ 240 分钟");
    expect(thresholdText(kpi("payment_conversion"), zh)).toBe("无阈值");
  });

  it("colours by ok: on target, off target, no threshold, not measured", () => {
    expect(kpiState(kpi("sync_delay_rate"))).toBe("ok");
    expect(kpiState(kpi("notification_reach_rate"))).toBe("bad");
    expect(kpiState(kpi("payment_conversion"))).toBe("neutral");
    expect(kpiState(kpi("reconciliation_difference_rate"))).toBe("unmeasured");
  });
});

describe("the change against the previous period", () => {
  it("is better when a lower-is-healthy KPI falls", () => {
    const change = kpiChange(kpi("sync_delay_rate"));
    expect(change).toEqual({ delta: -0.002, direction: "down", better: true });
    expect(changeText("ratio", change!, zh)).toBe("-0.2 个百分点");
    expect(kpiChangeText(kpi("sync_delay_rate"), en)).toBe("-0.2 pts vs previous period");
  });

  it("is worse when a higher-is-healthy KPI falls or a lower-is-healthy one rises", () => {
    expect(kpiChange(kpi("notification_reach_rate"))).toEqual({ delta: -0.02, direction: "down", better: false });
    expect(kpiChange(kpi("refund_rate"))).toEqual({ delta: 0.011, direction: "up", better: false });
    expect(kpiChangeText(kpi("refund_rate"), zh)).toBe("较上期 +1.1 个百分点");
  });

  it("has no direction of health without a threshold, and says flat or unmeasured periods", () => {
    expect(kpiChange(kpi("payment_conversion"))?.better).toBeNull();
    expect(kpiChangeText(kpi("on_time_fulfilment"), zh)).toBe("与上期持平");
    expect(kpiChange(kpi("exception_order_share"))).toBeNull();
    expect(kpiChangeText(kpi("exception_order_share"), zh)).toBe("上期尚未统计");
    expect(kpiChangeText(kpi("avg_processing_minutes"), en)).toBe("-14.5 min vs previous period");
  });
});

describe("the range's dates", () => {
  it("counts days in Asia/Shanghai whatever the browser's zone", () => {
    // 16:30 UTC on 5 December is 00:30 on 6 December in Shanghai
    expect(shanghaiToday(new Date("2026-12-05T16:30:00Z"))).toBe("2026-12-06");
    expect(shanghaiToday(new Date("2026-12-05T15:59:59Z"))).toBe("2026-12-05");
  });

  it("ends each preset today, inclusive", () => {
    const now = new Date("2026-12-06T04:00:00Z");
    expect(presetRange("today", now)).toEqual({ from: "2026-12-06", to: "2026-12-06" });
    expect(presetRange("7d", now)).toEqual({ from: "2026-11-30", to: "2026-12-06" });
    expect(presetRange("30d", now)).toEqual({ from: "2026-11-07", to: "2026-12-06" });
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
  });

  it("refuses a custom range that cannot be asked for, on the field concerned", () => {
    expect(rangeProblem("2026-12-01", "2026-12-06")).toBeNull();
    expect(rangeProblem("2026-12-06", "2026-12-06")).toBeNull();
    expect(rangeProblem("", "2026-12-06")).toEqual({ field: "from", key: "dash.range.badDate" });
    expect(rangeProblem("2026-02-30", "2026-12-06")).toEqual({ field: "from", key: "dash.range.badDate" });
    expect(rangeProblem("2026-12-06", "2026-12-01")).toEqual({ field: "to", key: "dash.range.toBeforeFrom" });
    expect(rangeProblem("2025-01-01", "2026-12-06")).toEqual({ field: "to", key: "dash.range.tooLong" });
  });
});

describe("instants", () => {
  it("are shown in the user's zone", () => {
    expect(formatInstant("2026-12-06T05:22:07Z", "zh", "Asia/Shanghai")).toBe("2026/12/06 13:22");
    expect(formatInstant("2026-12-06T05:22:07Z", "en", "Europe/Berlin")).toBe("06/12/2026, 06:22");
    expect(formatInstant(null, "zh")).toBe("—");
    expect(formatClock(new Date("2026-12-06T05:22:07Z"), "en", "Asia/Shanghai")).toBe("13:22:07");
  });
});
