import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n/i18n";
import type { RefundDetail } from "./api";
import { EvidenceSection } from "./EvidenceSection";
import { DecisionList } from "./RefundDetailPanel";
import { ReturnsSection } from "./ReturnsSection";

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

const refund = (overrides: Partial<RefundDetail> = {}): RefundDetail => ({
  id: 7,
  order_id: 3,
  order_number: "OF2612060000012345",
  amount: "299.00",
  currency: "CNY",
  reason: "quality",
  note: "",
  status: "approving",
  method: "gateway",
  queue: "service",
  return_needed: true,
  return_tracking_no: "",
  approvals_needed: ["finance"],
  policy_version: 2,
  lines: [{ sku: "TEA-0299", quantity: 1 }],
  requested_by: "operator",
  created_at: "2026-03-01T02:00:00+00:00",
  decided_at: null,
  paid_at: null,
  failure: "",
  sla: "",
  decisions: [],
  returns: [],
  tracking_url: "http://example.test/t/refund/7:x:y/",
  ticket_number: "TK000042",
  evidence: [],
  ...overrides,
});

describe("a request's decisions", () => {
  beforeEach(() => setLanguage("zh"));

  it("say who decided, as which role, when (Beijing time), under which policy version, and why", () => {
    const markup = renderToStaticMarkup(
      <I18nProvider>
        <DecisionList
          decisions={[
            {
              kind: "approve",
              role: "supervisor",
              by: "sup-li",
              policy_version: 2,
              note: "照片已核实",
              at: "2026-03-01T03:15:00Z",
            },
            { kind: "auto", role: "", by: "system", policy_version: 1, note: "", at: "2026-03-01T04:00:00Z" },
          ]}
        />
      </I18nProvider>,
    );
    expect(text(markup)).toContain("批准 sup-li（主管）· 2026/03/01 11:15 · 规则 v2 照片已核实");
    expect(text(markup)).toContain("自动批准 system（—）· 2026/03/01 12:00 · 规则 v1");
  });

  it("say so when there is none yet, in English too", () => {
    setLanguage("en");
    const markup = renderToStaticMarkup(
      <I18nProvider>
        <DecisionList decisions={[]} />
      </I18nProvider>,
    );
    expect(text(markup)).toBe("No decision yet.");
  });
});

describe("returned goods", () => {
  beforeEach(() => setLanguage("zh"));

  it("show where each line went: restocked in its warehouse, or quarantined off stock", () => {
    const value = refund({
      returns: [
        {
          sku: "TEA-0299",
          quantity: 1,
          condition: "sellable",
          disposition: "restocked",
          warehouse: "sh-main",
          tracking_no: "SF1",
          by: "operator",
          at: "2026-03-02T02:00:00Z",
        },
        {
          sku: "TEA-0299",
          quantity: 1,
          condition: "damaged",
          disposition: "quarantine",
          warehouse: "",
          tracking_no: "SF1",
          by: "operator",
          at: "2026-03-02T02:00:00Z",
        },
      ],
    });
    const markup = renderToStaticMarkup(
      <I18nProvider>
        <ReturnsSection refund={value} skus={["TEA-0299"]} canRecord={false} onChanged={() => undefined} />
      </I18nProvider>,
    );
    expect(text(markup)).toContain("TEA-0299 × 1 · 完好（可售） · 已入库 sh-main");
    expect(text(markup)).toContain("TEA-0299 × 1 · 破损（隔离） · 已隔离，不计入可售库存");
    expect(markup).not.toContain("登记收到的退货");
  });

  it("offer the form to order workers while the request is open, not once it was rejected", () => {
    const open = renderToStaticMarkup(
      <I18nProvider>
        <ReturnsSection refund={refund()} skus={["TEA-0299"]} canRecord onChanged={() => undefined} />
      </I18nProvider>,
    );
    const rejected = renderToStaticMarkup(
      <I18nProvider>
        <ReturnsSection
          refund={refund({ status: "rejected" })}
          skus={["TEA-0299"]}
          canRecord
          onChanged={() => undefined}
        />
      </I18nProvider>,
    );
    expect(open).toContain("登记收到的退货");
    expect(text(open)).toContain("尚未收到退货。");
    expect(rejected).not.toContain("登记收到的退货");
  });
});

describe("a request's evidence", () => {
  beforeEach(() => setLanguage("zh"));
  const image = {
    id: 5,
    name: "破损.jpg",
    content_type: "image/jpeg" as const,
    size: 1200,
    uploaded_by: "customer (refund link)",
    uploaded_at: "2026-03-01T02:00:00+00:00",
    download_url: "/api/v1/refunds/7/evidence/5/",
  };

  it("shows each image from the API, with upload and delete while the request waits", () => {
    const markup = renderToStaticMarkup(
      <I18nProvider>
        <EvidenceSection refund={refund({ evidence: [image] })} canUpload onChanged={() => undefined} />
      </I18nProvider>,
    );

    expect(markup).toContain('src="/api/v1/refunds/7/evidence/5/"');
    expect(text(markup)).toContain("破损.jpg");
    expect(text(markup)).toContain("删除");
    expect(markup).toContain('accept="image/jpeg,image/png,image/webp"');
  });

  it("offers no upload once the request ended, and no delete once decided", () => {
    const ended = renderToStaticMarkup(
      <I18nProvider>
        <EvidenceSection
          refund={refund({ status: "refunded", evidence: [image] })}
          canUpload
          onChanged={() => undefined}
        />
      </I18nProvider>,
    );
    const approved = renderToStaticMarkup(
      <I18nProvider>
        <EvidenceSection refund={refund({ status: "approved", evidence: [] })} canUpload onChanged={() => undefined} />
      </I18nProvider>,
    );

    expect(ended).not.toContain('type="file"');
    expect(text(ended)).not.toContain("删除");
    expect(approved).toContain('type="file"');
    expect(text(approved)).toContain("暂无凭证图片");
  });

  it("offers nothing to change to a role that may only read", () => {
    const markup = renderToStaticMarkup(
      <I18nProvider>
        <EvidenceSection refund={refund({ evidence: [image] })} canUpload={false} onChanged={() => undefined} />
      </I18nProvider>,
    );

    expect(markup).not.toContain('type="file"');
    expect(text(markup)).not.toContain("删除");
  });
});
