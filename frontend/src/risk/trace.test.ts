import { describe, expect, it } from "vitest";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { traceWhat, type TimelineEntry } from "../orders/detail/trace";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

function entry(action: string, changes: Record<string, unknown>): TimelineEntry {
  return {
    id: 1,
    occurred_at: "2026-12-06T05:22:07Z",
    action,
    actor: { kind: "system", id: "", label: "tests" },
    source: "tests",
    changes: changes as TimelineEntry["changes"],
    trace_id: "t",
    origin: { kind: "system", label_zh: "来自系统（tests）", label_en: "From the system (tests)", link: null },
    ignored: false,
  };
}

describe("the order timeline's risk and audit entries", () => {
  it("says which rules held the order and how the review ended", () => {
    expect(traceWhat(entry("risk_flagged", { rules: ["same_ip_burst", "virtual_number"] }), zh)).toBe(
      "风控拦截：same_ip_burst, virtual_number",
    );
    expect(traceWhat(entry("risk_rejected", { reason: "刷单" }), en)).toBe("Risk review rejected: 刷单");
    expect(traceWhat(entry("risk_blacklisted", { entries: [{ kind: "ip", value: "203.0.113.7" }] }), zh)).toBe(
      "加入黑名单：203.0.113.7",
    );
  });

  it("says what the order audit decided", () => {
    expect(traceWhat(entry("screened", { state: "waiting", rule_set: 1, failed: ["remark_keywords"] }), en)).toBe(
      "Order audit (version 1): waiting remark_keywords",
    );
    expect(traceWhat(entry("screening_rejected", { reason: "假地址" }), zh)).toBe("审单拒绝：假地址");
  });
});
