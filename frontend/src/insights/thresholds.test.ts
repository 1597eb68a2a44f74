import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { alertsApi, kpisApi } from "./api";
import { kpiAnswer, thresholds } from "./fixtures/api";
import { parseThreshold, thresholdInput, thresholdPatch } from "./thresholds";
import type { KpiUnit } from "./types";

const units: Record<string, KpiUnit> = Object.fromEntries(kpiAnswer.kpis.map((kpi) => [kpi.key, kpi.unit]));
const editable = thresholds.filter((row) => row.comparison !== null);
/** The form's inputs as first shown: each threshold as the admin reads it. */
const shown = () => Object.fromEntries(editable.map((row) => [row.key, thresholdInput(units[row.key], row.threshold)]));

describe("the threshold inputs", () => {
  it("show ratios in percent and minutes as they are", () => {
    expect(shown()).toEqual({
      sync_delay_rate: "1",
      notification_reach_rate: "98",
      reconciliation_difference_rate: "0.3",
      exception_order_share: "2",
      on_time_fulfilment: "90",
      refund_rate: "5",
      avg_processing_minutes: "240",
    });
  });

  it("read what the admin types, or say what is wrong", () => {
    expect(parseThreshold("ratio", "1.5")).toEqual({ value: 0.015 });
    expect(parseThreshold("ratio", " 0.3 ")).toEqual({ value: 0.003 });
    expect(parseThreshold("minutes", "90")).toEqual({ value: 90 });
    expect(parseThreshold("ratio", "")).toEqual({ error: "dash.thresholds.required" });
    expect(parseThreshold("ratio", "1%")).toEqual({ error: "dash.thresholds.notNumber" });
    expect(parseThreshold("ratio", "1e3")).toEqual({ error: "dash.thresholds.notNumber" });
    expect(parseThreshold("minutes", "-5")).toEqual({ error: "dash.thresholds.negative" });
    expect(parseThreshold("ratio", "101")).toEqual({ error: "dash.thresholds.overHundred" });
  });
});

describe("the PATCH body", () => {
  it("holds only the thresholds that change, ratios as fractions", () => {
    const inputs = { ...shown(), sync_delay_rate: "0.8", avg_processing_minutes: "180" };
    expect(thresholdPatch(editable, units, inputs)).toEqual({
      patch: { sync_delay_rate: 0.008, avg_processing_minutes: 180 },
      errors: {},
    });
  });

  it("is empty when nothing changed", () => {
    expect(thresholdPatch(editable, units, shown())).toEqual({ patch: {}, errors: {} });
  });

  it("names the inputs that cannot be read", () => {
    const inputs = { ...shown(), refund_rate: "five", on_time_fulfilment: "", sync_delay_rate: "0.5" };
    expect(thresholdPatch(editable, units, inputs)).toEqual({
      patch: { sync_delay_rate: 0.005 },
      errors: { refund_rate: "dash.thresholds.notNumber", on_time_fulfilment: "dash.thresholds.required" },
    });
  });

  it("lets a KPI without a threshold stay without one", () => {
    const rows = [{ key: "exception_order_share", threshold: null, comparison: "lt" as const }];
    expect(thresholdPatch(rows, units, { exception_order_share: "" })).toEqual({ patch: {}, errors: {} });
    expect(thresholdPatch(rows, units, { exception_order_share: "2" })).toEqual({
      patch: { exception_order_share: 0.02 },
      errors: {},
    });
  });
});

describe("the requests the dashboard sends", () => {
  const calls: { url: string; method: string; body: unknown; headers: Record<string, string> }[] = [];
  beforeEach(() => {
    calls.length = 0;
    vi.stubGlobal("document", { cookie: "csrftoken=tok123" });
    vi.stubGlobal("window", { location: { origin: "http://localhost" } });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({
          url,
          method: init.method ?? "GET",
          body: init.body ? JSON.parse(String(init.body)) : undefined,
          headers: init.headers as Record<string, string>,
        });
        return new Response(JSON.stringify(thresholds), { status: 200 });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("PATCHes the thresholds with the body and the CSRF token", async () => {
    const { patch } = thresholdPatch(editable, units, { ...shown(), refund_rate: "4" });
    await kpisApi.saveThresholds(patch);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: "/api/v1/kpis/thresholds/", method: "PATCH", body: { refund_rate: 0.04 } });
    expect(calls[0].headers["X-CSRFToken"]).toBe("tok123");
  });

  it("asks for the KPIs of a range and channel, and all channels without one", async () => {
    await kpisApi.get({ from: "2026-11-30", to: "2026-12-06", channel: "tmall" });
    await kpisApi.get({ from: "2026-12-06", to: "2026-12-06", channel: null });
    expect(calls.map((call) => call.url)).toEqual([
      "/api/v1/kpis/?from=2026-11-30&to=2026-12-06&channel=tmall",
      "/api/v1/kpis/?from=2026-12-06&to=2026-12-06",
    ]);
  });

  it("lists alerts by status, follows the cursor, and resolves with a note", async () => {
    await alertsApi.list("open", null);
    await alertsApi.list("open", "http://localhost/api/v1/alerts/?cursor=abc&status=open");
    await alertsApi.resolve(41, "退款已核实");
    expect(calls.map((call) => [call.method, call.url, call.body])).toEqual([
      ["GET", "/api/v1/alerts/?status=open", undefined],
      ["GET", "/api/v1/alerts/?cursor=abc&status=open", undefined],
      ["POST", "/api/v1/alerts/41/resolve/", { note: "退款已核实" }],
    ]);
  });
});
