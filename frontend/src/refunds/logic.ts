/**
 * The refund board's rules, kept apart from the page so they are tested on their own: lanes by SLA
 * colour, approvals and waiting time in words, what a user may bulk-approve, the filing form's
 * checks, the API's refusals as messages, the policy form, and which live events concern refunds.
 */
import { ApiError } from "../api/client";
import type { MessageKey } from "../i18n/messages";

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export const STATUSES = [
  "requested",
  "approving",
  "approved",
  "rejected",
  "refunding",
  "refunded",
  "failed",
  "cancelled",
] as const;
export const REASONS = [
  "wrong_item",
  "damaged_in_transit",
  "quality",
  "no_reason_7_days",
  "not_received",
  "price_adjustment",
  "other",
] as const;
export const APPROVER_ROLES = ["supervisor", "finance"];
/** Who may file and cancel (commerce.refunds.api.views.FILERS). */
export const FILERS = ["operator", "supervisor", "finance", "admin"];
/** Who may send a failed payout again. */
export const RETRIERS = ["finance", "admin"];

export interface RefundLike {
  id: number;
  status: string;
  sla: string;
  approvals_needed: string[];
  requested_by: string;
  created_at: string;
  paid_at?: string | null;
}

export const LANES = ["red", "orange", "yellow", "ok", "done"] as const;
export type Lane = (typeof LANES)[number];

const RUNNING = new Set(["requested", "approving", "approved", "refunding", "failed"]);

/** The lane a request sits in: its SLA colour while its clock runs, "done" once it stopped. */
export function laneOf(refund: Pick<RefundLike, "status" | "sla">): Lane {
  if (!RUNNING.has(refund.status)) return "done";
  if (refund.sla === "red" || refund.sla === "orange" || refund.sla === "yellow") return refund.sla;
  return "ok";
}

/** The requests by lane, the most overdue lane first and the oldest request first within one. */
export function lanes<T extends RefundLike>(refunds: T[]): { lane: Lane; refunds: T[] }[] {
  return LANES.map((lane) => ({
    lane,
    refunds: refunds
      .filter((r) => laneOf(r) === lane)
      .sort((a, b) =>
        lane === "done" ? b.created_at.localeCompare(a.created_at) : a.created_at.localeCompare(b.created_at),
      ),
  })).filter((group) => group.refunds.length > 0);
}

/** "主管 → 财务", or "无需审批". */
export function approvalsText(roles: string[], t: Translate): string {
  if (roles.length === 0) return t("refunds.approvals.none");
  return roles.map((role) => t(`role.${role}` as MessageKey)).join(" → ");
}

/** How long a request has waited (until paid when it was), in words. */
export function waitingText(refund: Pick<RefundLike, "status" | "created_at" | "paid_at">, now: number, t: Translate) {
  const end = refund.paid_at ? Date.parse(refund.paid_at) : RUNNING.has(refund.status) ? now : NaN;
  const start = Date.parse(refund.created_at);
  if (Number.isNaN(end) || Number.isNaN(start)) return t("refunds.waiting.stopped");
  const minutes = Math.max(0, Math.floor((end - start) / 60_000));
  if (minutes < 60) return t("refunds.waiting.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("refunds.waiting.hours", { h: hours, m: minutes % 60 });
  return t("refunds.waiting.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

/** Whether `me` may give the approval `refund` needs next (the server checks again). */
export function canApprove(refund: RefundLike, me: { username: string; roles: string[] }): boolean {
  return (
    refund.status === "approving" &&
    refund.approvals_needed.length > 0 &&
    me.roles.includes(refund.approvals_needed[0]) &&
    refund.requested_by !== me.username
  );
}

/**
 * The requests `me` may approve together: the next approval is their role, they did not file it,
 * and it is not an offline refund's last approval (that one needs finance's payment reference, one
 * by one).
 */
export function bulkApprovable<T extends RefundLike & { method?: string }>(
  refunds: T[],
  me: { username: string; roles: string[] },
): T[] {
  return refunds.filter((r) => canApprove(r, me) && !(r.method === "offline" && r.approvals_needed.length === 1));
}

/** Whether `me` must give a payment reference with this approval (an offline refund's last one). */
export function needsReference(refund: RefundLike & { method?: string }): boolean {
  return refund.method === "offline" && refund.status === "approving" && refund.approvals_needed.length === 1;
}

/** An amount as the API takes it ("12.50"), or null when it is not one. */
export function parseAmount(text: string, { allowZero = false } = {}): string | null {
  const trimmed = text.trim();
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(trimmed)) return null;
  const value = Number(trimmed);
  if (!allowZero && value <= 0) return null;
  return value.toFixed(2);
}

/** An API refusal in the user's words: the known codes by name, with their figures. */
export function refusalText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details = (error.details ?? {}) as Record<string, unknown>;
  switch (error.code) {
    case "refund_exceeds_paid":
      return t("refunds.error.refund_exceeds_paid", {
        paid: String(details.paid ?? "?"),
        already: String(details.already_requested ?? "?"),
      });
    case "invalid_evidence":
    case "evidence_too_large":
    case "evidence_limit":
    case "order_not_paid":
    case "not_your_approval":
    case "self_approval":
    case "refund_not_pending":
      return t(`refunds.error.${error.code}` as MessageKey);
    case "not_found":
      return t("refunds.error.order_not_found");
    default: {
      const fields = Object.entries(details)
        .map(([field, problem]) => `${field}: ${Array.isArray(problem) ? problem.join(" ") : String(problem)}`)
        .join("; ");
      return fields ? `${error.message} (${fields})` : error.message;
    }
  }
}

/** Client-side first look at a chosen file (the server decides by the bytes): the key of a problem, or null. */
export function evidenceProblem(file: { type: string; size: number }, maxBytes = 5 * 1024 * 1024): MessageKey | null {
  if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) return "refunds.error.invalid_evidence";
  if (file.size > maxBytes) return "refunds.error.evidence_too_large";
  return null;
}

/** The bulk approval's answer in words: how many approved, and each refusal with its reason. */
export function bulkOutcomeText(
  results: { id: number; outcome: string; code: string; message: string }[],
  t: Translate,
): string {
  const refused = results.filter((r) => r.outcome === "refused");
  if (refused.length === 0) return "";
  const ok = results.length - refused.length;
  const words = refused.map((r) => {
    const known = `refunds.error.${r.code}` as MessageKey;
    const text = t(known);
    return `#${r.id} ${text === known ? r.message : text}`;
  });
  return `${t("refunds.bulk.done", { ok, failed: refused.length })}${words.join("；")}`;
}

export interface PolicyForm {
  autoMax: string;
  supervisorMax: string;
  specialSkus: string;
  routes: Record<string, string>;
  directRefund: unknown;
}

export function policyToForm(document: Record<string, unknown>): PolicyForm {
  return {
    autoMax: String(document.auto_approve_max ?? ""),
    supervisorMax: String(document.supervisor_max ?? ""),
    specialSkus: ((document.special_skus as string[] | undefined) ?? []).join("\n"),
    routes: { ...((document.routes as Record<string, string> | undefined) ?? {}) },
    directRefund: document.direct_refund,
  };
}

/** The document to save, or the problems by field (message keys). */
export function formToPolicy(
  form: PolicyForm,
): { document: Record<string, unknown>; problems: null } | { document: null; problems: Record<string, MessageKey> } {
  const problems: Record<string, MessageKey> = {};
  const autoMax = parseAmount(form.autoMax, { allowZero: true });
  const supervisorMax = parseAmount(form.supervisorMax, { allowZero: true });
  if (autoMax === null) problems.autoMax = "refunds.policy.badAmount";
  if (supervisorMax === null) problems.supervisorMax = "refunds.policy.badAmount";
  if (autoMax !== null && supervisorMax !== null && Number(autoMax) > Number(supervisorMax))
    problems.autoMax = "refunds.policy.order";
  if (Object.keys(problems).length > 0) return { document: null, problems };
  const specialSkus = [...new Set(form.specialSkus.split(/[\s,，]+/).filter(Boolean))];
  const routes = Object.fromEntries(Object.entries(form.routes).filter(([, queue]) => queue.trim() !== ""));
  return {
    document: {
      auto_approve_max: autoMax,
      supervisor_max: supervisorMax,
      special_skus: specialSkus,
      routes,
      direct_refund: form.directRefund,
    },
    problems: null,
  };
}

/** Live events after which the board may have changed. */
export function concernsRefunds(type: string): boolean {
  return type.startsWith("refund.");
}

/** Who may record returned goods (core.accounts.roles.ORDER_WORKERS). */
export const ORDER_WORKERS = ["operator", "supervisor", "admin"];

/** What is wrong with the return form's lines, as a message key; null when they can be sent. */
export function returnLinesProblem(lines: { sku: string; quantity: string }[]): MessageKey | null {
  if (lines.length === 0) return "refunds.returns.badQuantity";
  for (const line of lines) {
    if (!line.sku || !/^\d+$/.test(line.quantity.trim()) || Number(line.quantity) < 1)
      return "refunds.returns.badQuantity";
  }
  return null;
}
