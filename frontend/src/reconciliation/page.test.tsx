import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n/i18n";
import type { DayReport } from "./api";
import { reconciliationMessages } from "./messages";
import { Report, yesterdayInShanghai } from "./ReconciliationPage";

function setLanguage(language: "zh" | "en") {
  const store = new Map<string, string>([["orderflow.language", language]]);
  globalThis.localStorage = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, value),
  } as Storage;
}

const text = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

const report: DayReport = {
  day: "2026-12-01",
  status: "partial",
  tolerance: "0.50",
  checked: 3,
  differing: 2,
  difference_rate: 0.666667,
  totals: { bill_payments: 3, bill_payments_amount: "349.00", bill_refunds: 0, bill_refunds_amount: "0.00" },
  sources: [
    { gateway: "alipay", connection_id: 1, lines: 3, error: "", summary: {} },
    { gateway: "wechatpay", connection_id: 2, lines: 0, error: "timeout: no answer", summary: {} },
  ],
  runs: 1,
  run_by: "finance",
  finished_at: "2026-12-02T18:00:00Z",
  open: 1,
  by_category: [
    { category: "amount_mismatch", label: { zh: "金额不符", en: "Amount mismatch" }, count: 1 },
    { category: "missing_order", label: { zh: "缺少订单", en: "Missing order" }, count: 1 },
  ],
  differences: [
    {
      id: 5,
      day: "2026-12-01",
      category: "amount_mismatch",
      category_label: { zh: "金额不符", en: "Amount mismatch" },
      status: "open",
      order_id: 9,
      order_number: "OF2612010000000001",
      gateway: "alipay",
      out_trade_no: "OF2612010000000001-1",
      expected_amount: "199.00",
      actual_amount: "150.00",
      currency: "CNY",
      detail: {},
      ticket_id: 3,
      resolution: "",
      resolved_by: "",
      resolved_at: null,
    },
    {
      id: 6,
      day: "2026-12-01",
      category: "missing_order",
      category_label: { zh: "缺少订单", en: "Missing order" },
      status: "resolved",
      order_id: null,
      order_number: "",
      gateway: "wechatpay",
      out_trade_no: "CONSOLE-1",
      expected_amount: null,
      actual_amount: "9.90",
      currency: "CNY",
      detail: {},
      ticket_id: 4,
      resolution: "店铺补款",
      resolved_by: "finance",
      resolved_at: "2026-12-02T19:00:00Z",
    },
  ],
};

const markup = (canWork: boolean) =>
  renderToStaticMarkup(
    <I18nProvider>
      <Report report={report} canWork={canWork} onChange={() => undefined} />
    </I18nProvider>,
  );
const render = (canWork: boolean) => text(markup(canWork));

describe("the reconciliation report", () => {
  it("speaks Chinese: categories, gateways, a bill not fetched, who resolved what", () => {
    setLanguage("zh");
    const shown = render(true);
    expect(shown).toContain("金额不符: 1");
    expect(shown).toContain("支付宝：3 行");
    expect(shown).toContain("微信支付：未取到（timeout: no answer）");
    expect(shown).toContain("部分完成（有账单未取到）");
    expect(shown).toContain("finance：店铺补款");
    expect(markup(true)).toContain('data-testid="resolve-5"');
  });

  it("speaks English, and offers no resolve button to a reader", () => {
    setLanguage("en");
    const shown = render(false);
    expect(shown).toContain("Amount mismatch: 1");
    expect(shown).toContain("Alipay: 3 lines");
    expect(markup(false)).not.toContain('data-testid="resolve-5"');
    expect(shown).toContain("66.67%");
  });

  it("has every string in both languages", () => {
    for (const [key, [zh, en]] of Object.entries(reconciliationMessages)) {
      expect(zh, key).not.toBe("");
      expect(en, key).not.toBe("");
    }
  });

  it("picks yesterday in Shanghai, not in the browser's zone", () => {
    expect(yesterdayInShanghai(new Date("2026-12-06T17:00:00Z"))).toBe("2026-12-06");
    expect(yesterdayInShanghai(new Date("2026-12-06T15:00:00Z"))).toBe("2026-12-05");
  });
});
