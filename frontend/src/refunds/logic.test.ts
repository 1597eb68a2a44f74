import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  approvalsText,
  bulkApprovable,
  bulkOutcomeText,
  canApprove,
  concernsRefunds,
  evidenceProblem,
  formToPolicy,
  laneOf,
  lanes,
  needsReference,
  parseAmount,
  policyToForm,
  refusalText,
  returnLinesProblem,
  waitingText,
} from "./logic";
import { listenLive, shanghaiToday } from "./RefundsPage";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

function refund(overrides: Partial<Parameters<typeof laneOf>[0]> & Record<string, unknown> = {}) {
  return {
    id: 1,
    status: "approving",
    sla: "",
    approvals_needed: ["supervisor", "finance"],
    requested_by: "op-zhang",
    created_at: "2026-03-01T02:00:00+00:00",
    paid_at: null,
    method: "gateway",
    ...overrides,
  };
}

const supervisor = { username: "sup-li", roles: ["supervisor"] };
const finance = { username: "fin-wang", roles: ["finance"] };

describe("lanes by SLA colour", () => {
  it("puts running requests in their colour and stopped ones in done", () => {
    expect(laneOf(refund({ sla: "red" }))).toBe("red");
    expect(laneOf(refund({ sla: "yellow", status: "failed" }))).toBe("yellow");
    expect(laneOf(refund({ sla: "" }))).toBe("ok");
    expect(laneOf(refund({ status: "refunded", sla: "" }))).toBe("done");
    expect(laneOf(refund({ status: "rejected", sla: "red" }))).toBe("done");
  });

  it("orders the lanes most overdue first, the oldest request first, and leaves out empty lanes", () => {
    const rows = [
      refund({ id: 1, sla: "yellow", created_at: "2026-03-01T03:00:00Z" }),
      refund({ id: 2, sla: "red", created_at: "2026-02-27T03:00:00Z" }),
      refund({ id: 3, sla: "yellow", created_at: "2026-03-01T01:00:00Z" }),
      refund({ id: 4, status: "refunded", created_at: "2026-03-01T05:00:00Z" }),
    ];
    expect(lanes(rows).map((g) => [g.lane, g.refunds.map((r) => r.id)])).toEqual([
      ["red", [2]],
      ["yellow", [3, 1]],
      ["done", [4]],
    ]);
  });
});

describe("words", () => {
  it("names the approvals still needed by role", () => {
    expect(approvalsText(["supervisor", "finance"], zh)).toBe("主管 → 财务");
    expect(approvalsText(["finance"], en)).toBe("Finance");
    expect(approvalsText([], zh)).toBe("无待审批");
  });

  it("says how long a request has waited, until it was paid", () => {
    const now = Date.parse("2026-03-02T05:30:00Z");
    expect(waitingText(refund({ created_at: "2026-03-02T05:05:00Z" }), now, zh)).toBe("25 分钟");
    expect(waitingText(refund({ created_at: "2026-03-02T02:10:00Z" }), now, en)).toBe("3 h 20 min");
    expect(waitingText(refund({ created_at: "2026-02-28T02:30:00Z" }), now, zh)).toBe("2 天 3 小时");
    const paid = refund({ status: "refunded", paid_at: "2026-03-01T06:30:00Z" });
    expect(waitingText(paid, now, en)).toBe("4 h 30 min");
    expect(waitingText(refund({ status: "rejected" }), now, zh)).toBe("—");
  });
});

describe("who may approve", () => {
  it("is the role the next approval needs, never the requester", () => {
    expect(canApprove(refund(), supervisor)).toBe(true);
    expect(canApprove(refund(), finance)).toBe(false);
    expect(canApprove(refund({ requested_by: "sup-li" }), supervisor)).toBe(false);
    expect(canApprove(refund({ status: "approved", approvals_needed: [] }), supervisor)).toBe(false);
  });

  it("bulk-approves only the requests whose next approval is the user's, leaving offline last approvals out", () => {
    const rows = [
      refund({ id: 1 }),
      refund({ id: 2, approvals_needed: ["finance"] }),
      refund({ id: 3, requested_by: "sup-li" }),
      refund({ id: 4, status: "refunded", approvals_needed: [] }),
      refund({ id: 5, method: "offline", approvals_needed: ["supervisor", "finance"] }),
      refund({ id: 6, method: "offline", approvals_needed: ["finance"] }),
    ];
    expect(bulkApprovable(rows, supervisor).map((r) => r.id)).toEqual([1, 5]);
    expect(bulkApprovable(rows, finance).map((r) => r.id)).toEqual([2]);
    expect(needsReference(rows[5])).toBe(true);
    expect(needsReference(rows[4])).toBe(false);
  });
});

describe("the filing form and the API's refusals", () => {
  it("takes amounts above 0 with at most two decimals", () => {
    expect(parseAmount("299")).toBe("299.00");
    expect(parseAmount(" 12.5 ")).toBe("12.50");
    expect(parseAmount("0")).toBeNull();
    expect(parseAmount("0", { allowZero: true })).toBe("0.00");
    expect(parseAmount("1.234")).toBeNull();
    expect(parseAmount("-3")).toBeNull();
    expect(parseAmount("abc")).toBeNull();
  });

  it("says a refund over what was paid plainly, with the figures", () => {
    const error = new ApiError(
      409,
      "refund_exceeds_paid",
      "The refunds of this order would return more than was paid.",
      {
        amount: "300.00",
        paid: "299.00",
        already_requested: "0.00",
      },
    );
    expect(refusalText(error, zh)).toBe("退款总额将超过订单实付金额：实付 ¥299.00，已申请 ¥0.00。请减少退款金额。");
    expect(refusalText(new ApiError(403, "self_approval", "x", {}), en)).toBe(
      "You cannot approve a request you filed, nor approve it twice.",
    );
    expect(refusalText(new ApiError(400, "invalid_input", "Invalid.", { amount: ["too big"] }), en)).toBe(
      "Invalid. (amount: too big)",
    );
  });
});

describe("the policy form", () => {
  const document = {
    auto_approve_max: "50.00",
    supervisor_max: "200.00",
    special_skus: ["GIFT-TOTE"],
    routes: { quality: "service", price_adjustment: "finance" },
    direct_refund: { ">=": [{ var: "customer.months" }, 6] },
  };

  it("round-trips the document", () => {
    const form = policyToForm(document);
    expect(form.specialSkus).toBe("GIFT-TOTE");
    expect(formToPolicy(form)).toEqual({ document, problems: null });
  });

  it("reads SKUs one per line or by commas, without duplicates", () => {
    const form = { ...policyToForm(document), specialSkus: "A-1\nB-2, A-1，C-3\n" };
    expect(formToPolicy(form).document?.special_skus).toEqual(["A-1", "B-2", "C-3"]);
  });

  it("refuses amounts that are not amounts and an automatic limit above the supervisor's", () => {
    expect(formToPolicy({ ...policyToForm(document), autoMax: "x" }).problems).toEqual({
      autoMax: "refunds.policy.badAmount",
    });
    expect(formToPolicy({ ...policyToForm(document), autoMax: "300" }).problems).toEqual({
      autoMax: "refunds.policy.order",
    });
  });
});

describe("live refresh", () => {
  it("refetches once for a burst of refund events and ignores the others", () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const run = vi.fn();
    const stop = listenLive(target, concernsRefunds, run, 1000);
    const send = (type: string) => target.dispatchEvent(new CustomEvent("orderflow:live", { detail: { type, id: 1 } }));
    send("order.paid");
    vi.advanceTimersByTime(2000);
    expect(run).toHaveBeenCalledTimes(0);
    send("refund.approved");
    send("refund.paid");
    send("refund.sla_breached");
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
    stop();
    send("refund.paid");
    vi.advanceTimersByTime(2000);
    expect(run).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it("takes the summary's day in Shanghai", () => {
    expect(shanghaiToday(new Date("2026-03-01T15:59:00Z"))).toBe("2026-03-01");
    expect(shanghaiToday(new Date("2026-03-01T16:00:00Z"))).toBe("2026-03-02");
  });
});

describe("the return form", () => {
  it("sends lines only with whole quantities of at least 1", () => {
    expect(returnLinesProblem([{ sku: "TEA-001", quantity: "2" }])).toBeNull();
    expect(returnLinesProblem([{ sku: "TEA-001", quantity: "0" }])).toBe("refunds.returns.badQuantity");
    expect(returnLinesProblem([{ sku: "TEA-001", quantity: "1.5" }])).toBe("refunds.returns.badQuantity");
    expect(returnLinesProblem([{ sku: "", quantity: "1" }])).toBe("refunds.returns.badQuantity");
    expect(returnLinesProblem([])).toBe("refunds.returns.badQuantity");
  });
});

describe("evidence and bulk approval", () => {
  it("takes JPEG, PNG and WebP up to the size limit and nothing else", () => {
    expect(evidenceProblem({ type: "image/png", size: 5 * 1024 * 1024 })).toBeNull();
    expect(evidenceProblem({ type: "image/webp", size: 10 })).toBeNull();
    expect(evidenceProblem({ type: "image/png", size: 5 * 1024 * 1024 + 1 })).toBe("refunds.error.evidence_too_large");
    expect(evidenceProblem({ type: "image/gif", size: 10 })).toBe("refunds.error.invalid_evidence");
    expect(evidenceProblem({ type: "", size: 10 })).toBe("refunds.error.invalid_evidence");
  });

  it("says nothing when all were approved, and each refusal in words otherwise", () => {
    const approved = { id: 1, outcome: "approved", code: "", message: "" };
    const refused = { id: 2, outcome: "refused", code: "self_approval", message: "A refund cannot…" };
    const unknown = { id: 3, outcome: "refused", code: "something_new", message: "Something new." };

    expect(bulkOutcomeText([approved], zh)).toBe("");
    const words = bulkOutcomeText([approved, refused, unknown], zh);
    expect(words.startsWith(zh("refunds.bulk.done", { ok: 1, failed: 2 }))).toBe(true);
    expect(words).toContain(`#2 ${zh("refunds.error.self_approval")}`);
    expect(words).toContain("#3 Something new.");
  });
});
