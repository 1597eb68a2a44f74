/** Creating and editing a risk rule: the key from the name, the checks before sending, the server's refusal on its field, the form as rendered. */
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { I18nProvider } from "../i18n/i18n";
import { emptyRule, ruleKeyFrom, ruleProblems, serverProblems } from "./logic";
import { RuleForm } from "./RiskPage";

const html = (element: ReactElement) => renderToStaticMarkup(<I18nProvider>{element}</I18nProvider>);
const text = (markup: string) => markup.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const BIG = { ">": [{ var: "order.total_amount" }, 5000] };

describe("a risk rule's draft", () => {
  it("takes its key from the English name, as a slug the server accepts", () => {
    expect(ruleKeyFrom("Big order, new IP!")).toBe("big_order_new_ip");
    expect(ruleKeyFrom("  ")).toBe("");
    expect(ruleKeyFrom("x".repeat(60))).toHaveLength(48);
    expect(ruleKeyFrom("大额订单")).toBe("");
  });

  it("is checked before it is sent: a key, both names, and a condition reading a field", () => {
    expect(ruleProblems(emptyRule(), true)).toEqual({
      key: "risk.rule.problem.key",
      name_zh: "risk.rule.problem.name",
      name_en: "risk.rule.problem.name",
      condition: "risk.rule.problem.condition",
    });
    const ready = { key: "big_order", name_zh: "大额订单", name_en: "Big order", condition: BIG, enabled: true };
    expect(ruleProblems(ready, true)).toEqual({});
    expect(ruleProblems({ ...ready, key: "with space" }, true)).toEqual({ key: "risk.rule.problem.key" });
    // An existing rule keeps its key: it is not checked.
    expect(ruleProblems({ ...ready, key: "" }, false)).toEqual({});
    // A rule whose field was never picked reads nothing.
    expect(ruleProblems({ ...ready, condition: { and: [{ "==": [{ var: "" }, 1] }] } }, true)).toEqual({
      condition: "risk.rule.problem.condition",
    });
  });

  it("shows the server's refusal on the part it names, and anything else as a sentence", () => {
    const refused = new ApiError(400, "invalid", "Invalid input.", {
      condition: "unknown fields: order.nonsense",
      key: ["a rule with the key 'big' exists"],
    });
    expect(serverProblems(refused)).toEqual({
      parts: { condition: "unknown fields: order.nonsense", key: "a rule with the key 'big' exists" },
      general: "",
    });
    expect(serverProblems(new ApiError(403, "permission_denied", "Only admins edit rules.", {}))).toEqual({
      parts: {},
      general: "Only admins edit rules.",
    });
    expect(serverProblems(new ApiError(400, "invalid", "bad", { enabled: ["Must be a valid boolean."] }))).toEqual({
      parts: {},
      general: "enabled: Must be a valid boolean.",
    });
  });
});

describe("the rule form", () => {
  it("offers a new rule's names, key, switch, the hold action and the condition builder", () => {
    const markup = html(<RuleForm rule={null} onSaved={() => undefined} onCancel={() => undefined} />);
    expect(markup).toContain('data-testid="risk-rule-new-form"');
    expect(text(markup)).toContain("中文名称");
    expect(text(markup)).toContain("规则标识");
    expect(text(markup)).toContain("挂起订单，进入风险审核队列（附规则与证据）");
    expect(markup).not.toMatch(/<input[^>]*maxLength="48"[^>]*disabled/);
  });

  it("edits an existing rule with its key fixed and its condition in the builder", () => {
    const rule = {
      id: 7,
      key: "big_order",
      name_zh: "大额订单",
      name_en: "Big order",
      condition: BIG,
      enabled: false,
      hits_total: 0,
      hits_pending: 0,
      hits_approved: 0,
      hits_rejected: 0,
      false_positive_rate: null,
      updated_at: "2026-12-06T10:00:00Z",
    };
    const markup = html(<RuleForm rule={rule} onSaved={() => undefined} onCancel={() => undefined} />);
    expect(markup).toContain('data-testid="risk-rule-form-big_order"');
    expect(markup).toMatch(/value="big_order"[^>]*disabled|disabled[^>]*value="big_order"/);
    expect(markup).toContain('value="大额订单"');
    expect(text(markup)).toContain("订单金额");
  });
});
