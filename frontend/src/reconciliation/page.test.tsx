import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n/i18n";
import type { DayReport } from "./api";
import { reconciliationMessages } from "./messages";
import { ApiError } from "../api/client";
import { Report, StatementUpload, statementProblems, yesterdayInShanghai } from "./ReconciliationPage";

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
    { gateway: "alipay", connection_id: 1, lines: 3, error: "", summary: {}, state: "complete" },
    { gateway: "wechatpay", connection_id: 2, lines: 0, error: "timeout: no answer", summary: {}, state: "partial" },
  ],
  fetch_attempts: 2,
  last_fetch_at: "2026-12-02T19:00:00Z",
  alerted_at: null,
  statements: [
    {
      id: 1,
      day: "2026-12-01",
      kind: "bank",
      account: "ICBC-0001",
      file_name: "icbc.csv",
      file_format: "bank_cn",
      lines: 2,
      credit_total: "398.00",
      digest: "0".repeat(64),
      uploaded_by: "finance",
      uploaded_at: "2026-12-02T02:00:00Z",
    },
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
    expect(shown).toContain("支付宝：3 行 完整");
    expect(shown).toContain("待重试：每小时重试至次日 12:00 · 已尝试 2 次");
    expect(markup(true)).toContain('data-state="partial"');
    expect(shown).toContain("银行流水 ICBC-0001：2 笔入账，共 ¥398.00（icbc.csv，finance 上传）");
  });

  it("says when no statement is uploaded, and when a source was given up", () => {
    setLanguage("en");
    const given_up: DayReport = {
      ...report,
      status: "incomplete",
      statements: [],
      sources: [{ ...report.sources[1], state: "incomplete" }],
    };
    const shown = text(
      renderToStaticMarkup(
        <I18nProvider>
          <Report report={given_up} canWork={false} onChange={() => undefined} />
        </I18nProvider>,
      ),
    );
    expect(shown).toContain("Incomplete (a bill was still missing at the cut-off; finance was alerted)");
    expect(shown).toContain("incomplete: automatic retries stopped");
    expect(shown).toContain("No statement uploaded for this day");
  });

  it("speaks English, and offers no resolve button to a reader", () => {
    setLanguage("en");
    const shown = render(false);
    expect(shown).toContain("Amount mismatch: 1");
    expect(shown).toContain("Alipay: 3 lines");
    expect(markup(false)).not.toContain('data-testid="resolve-5"');
    expect(shown).toContain("66.67%");
  });

  it("offers the statement upload form, and names each bad row of a refused file", () => {
    setLanguage("zh");
    const form = renderToStaticMarkup(
      <I18nProvider>
        <StatementUpload day="2026-12-01" onDone={() => undefined} />
      </I18nProvider>,
    );
    expect(form).toContain('data-testid="recon-upload"');
    expect(text(form)).toContain("银行流水");
    expect(text(form)).toContain("货到付款回款");
    const refused = new ApiError(400, "invalid_statement", "对账单无法读取", {
      errors: [{ row: 3, column: "amount", message: "'x' is not an amount" }],
    });
    const t = (key: string, params?: Record<string, string | number>) => `${key}:${JSON.stringify(params ?? {})}`;
    expect(statementProblems(refused, t as never)).toEqual([
      "对账单无法读取",
      'reconciliation.upload.rowError:{"row":3,"column":"amount","message":"\'x\' is not an amount"}',
    ]);
    expect(
      statementProblems(new ApiError(400, "invalid_statement", "x", { file: "the file is empty" }), t as never),
    ).toEqual(["x", "file: the file is empty"]);
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
