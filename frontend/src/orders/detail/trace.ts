/**
 * The status trace in words: each timeline entry's time (Asia/Shanghai, to the second), where it
 * came from ("来自天猫推送", "来自流程「签收即完成」v3", "由 张三 手动") and what it changed.
 */
import type { components } from "../../api/schema";
import type { Language } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";

/** The ticket fields a ``ticket_updated`` entry may name, each with its label. */
const TICKET_FIELDS = ["priority", "queue", "assignee_role", "assignee", "status"];

export type TimelineEntry = components["schemas"]["TimelineEntry"];
type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

const ZONE = "Asia/Shanghai";

/** "13:22:07" in the order centre's zone. */
export function traceClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "2026-12-06" in the order centre's zone. */
export function traceDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
}

/** Where the change came from, in the user's language; from the actor when the answer has no origin. */
export function originText(entry: Pick<TimelineEntry, "origin" | "actor" | "source">, language: Language): string {
  const origin = entry.origin as TimelineEntry["origin"] | undefined;
  if (origin) return language === "zh" ? origin.label_zh : origin.label_en;
  const label = String((entry.actor as Record<string, unknown>)?.label ?? entry.source);
  return language === "zh" ? `来自 ${label}` : `From ${label}`;
}

/** "13:22:07 来自天猫推送": the line the trace panel leads each entry with. */
export function traceHeadline(entry: TimelineEntry, language: Language): string {
  return `${traceClock(entry.occurred_at)} ${originText(entry, language)}`;
}

export function statusName(t: T, status: unknown): string {
  const key = `orderDetail.status.${String(status)}` as MessageKey;
  const text = t(key);
  return text === key ? String(status) : text;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Every change's values as text, for the messages that name them. */
function stringsOf(changes: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(changes).map(([key, value]) => [key, text(value)]));
}

function shipmentStatusName(t: T, status: unknown): string {
  const key = `orderDetail.shipment.${String(status)}` as MessageKey;
  const name = t(key);
  return name === key ? String(status) : name;
}

/** What the entry changed, in words: "状态 已支付 → 已发货", "添加标签「vip」", an ignored move and why. */
export function traceWhat(entry: TimelineEntry, t: T): string {
  const changes = (entry.changes ?? {}) as Record<string, unknown>;
  const reason = text(changes.reason);
  const withReason = (sentence: string) => (reason ? sentence + t("orderDetail.trace.reason", { reason }) : sentence);
  switch (entry.action) {
    case "created":
      return t("orderDetail.trace.created", {
        status: statusName(t, changes.status),
        total: text(changes.total_amount),
      });
    case "transitioned": {
      const [from, to] = Array.isArray(changes.status) ? changes.status : ["", ""];
      return withReason(t("orderDetail.trace.transitioned", { from: statusName(t, from), to: statusName(t, to) }));
    }
    case "ignored": {
      const why = text(changes.why);
      const whyKey = `orderDetail.trace.why.${why}` as MessageKey;
      const whyText = t(whyKey) === whyKey ? why : t(whyKey);
      if (why === "stale_update")
        return t("orderDetail.trace.ignoredStale", { to: statusName(t, changes.requested_status) });
      if (why === "payment_already_recorded") return t("orderDetail.trace.ignoredPayment");
      return withReason(
        t("orderDetail.trace.ignoredMove", {
          to: statusName(t, changes.requested),
          current: statusName(t, changes.current),
          why: whyText,
        }),
      );
    }
    case "tagged":
      return t("orderDetail.trace.tagged", { tag: text(changes.tag) });
    case "untagged":
      return t("orderDetail.trace.untagged", { tag: text(changes.tag) });
    case "held":
      return t("orderDetail.trace.held", { reason });
    case "released":
      return t("orderDetail.trace.released") + (changes.note ? ` · ${text(changes.note)}` : "");
    case "noted":
      return t("orderDetail.trace.noted", { text: text(changes.text) });
    case "updated":
      return t("orderDetail.trace.updated", { fields: Object.keys(changes).join(", ") });
    case "reopened": {
      const [, to] = Array.isArray(changes.status) ? changes.status : ["", ""];
      return t("orderDetail.trace.reopened", { to: statusName(t, to) });
    }
    case "payment_received":
      return t("orderDetail.trace.payment_received", { outcome: text(changes.outcome) });
    case "payment_attempted":
    case "payment_mismatched":
    case "payment_duplicated":
    case "payment_refund":
    case "shipment_exception":
    case "ticket_opened":
    case "ticket_closed":
    case "refund_requested":
    case "refund_approved":
    case "refund_paid":
    case "refund_cancelled":
    case "refund_evidence_added":
      return t(`orderDetail.trace.${entry.action}` as MessageKey, stringsOf(changes));
    case "ticket_updated":
      return t("orderDetail.trace.ticket_updated", {
        ticket: text(changes.ticket),
        fields: Object.keys(changes)
          .filter((key) => key !== "ticket")
          .map((key) => (TICKET_FIELDS.includes(key) ? t(`orderDetail.ticketField.${key}` as MessageKey) : key))
          .join(", "),
      });
    case "refund_rejected":
      return t("orderDetail.trace.refund_rejected", { refund: text(changes.refund), reason: text(changes.reason) });
    case "refund_return_received": {
      const lines = Array.isArray(changes.lines) ? (changes.lines as { quantity?: unknown }[]) : [];
      const count = lines.reduce((sum, line) => sum + (typeof line.quantity === "number" ? line.quantity : 0), 0);
      const tracking = text(changes.tracking_no);
      return t(
        tracking ? "orderDetail.trace.refund_return_received_tracked" : "orderDetail.trace.refund_return_received",
        {
          refund: text(changes.refund),
          count,
          tracking_no: tracking,
        },
      );
    }
    case "parcel_merged":
      return t("orderDetail.trace.parcel_merged", {
        parcel: text(changes.parcel),
        orders: Array.isArray(changes.orders) ? changes.orders.join(", ") : text(changes.orders),
      });
    case "parcel_unmerged":
    case "parcel_waybilled":
    case "parcel_waybill_cancelled":
    case "parcel_shipped":
      return t(`orderDetail.trace.${entry.action}` as MessageKey, stringsOf(changes));
    case "parcel_split":
      return t("orderDetail.trace.parcel_split", {
        by: text(changes.by),
        count: String(Array.isArray(changes.parcels) ? changes.parcels.length : 0),
      });
    case "shipment_created":
      return t("orderDetail.trace.shipment_created", {
        ...stringsOf(changes),
        carrier: text(changes.carrier) || text(changes.courier),
      });
    case "shipment_status": {
      const [from, to] = Array.isArray(changes.status) ? changes.status : ["", ""];
      return t("orderDetail.trace.shipment_status", {
        tracking_no: text(changes.tracking_no),
        from: shipmentStatusName(t, from),
        to: shipmentStatusName(t, to),
      });
    }
    case "risk_flagged":
    case "risk_approved":
    case "risk_blacklisted":
      return t(`orderDetail.trace.${entry.action}` as MessageKey, {
        rules: listText(changes.rules),
        note: text(changes.note),
        entries: Array.isArray(changes.entries)
          ? changes.entries.map((e) => text((e as Record<string, unknown>).value)).join(", ")
          : "",
      });
    case "risk_rejected":
    case "screening_rejected":
      return t(`orderDetail.trace.${entry.action}` as MessageKey, { reason: text(changes.reason) });
    case "screened":
      return t("orderDetail.trace.screened", {
        version: text(changes.rule_set),
        state: text(changes.state),
        failed: listText(changes.failed),
      });
    case "screening_passed":
      return t("orderDetail.trace.screening_passed", { note: text(changes.note) });
    default:
      return t("orderDetail.trace.other", { action: entry.action });
  }
}

function listText(value: unknown): string {
  return Array.isArray(value) ? value.map((item) => String(item)).join(", ") : "";
}

/** The notes written on the order (its `noted` entries), newest first. */
export function notesOf(entries: TimelineEntry[]): { id: number; at: string; text: string; by: string }[] {
  return entries
    .filter((entry) => entry.action === "noted")
    .map((entry) => ({
      id: entry.id,
      at: entry.occurred_at,
      text: text((entry.changes as Record<string, unknown>).text),
      by: String((entry.actor as Record<string, unknown>)?.label ?? ""),
    }))
    .reverse();
}

/** Strips the app's base from a link the API gives (`/app/flows/3?execution=9` → `/flows/3?execution=9`). */
export function appPath(link: string): string {
  return link.startsWith("/app/") ? link.slice(4) : link;
}

/** order status machine (commerce/orders/statuses.py ALLOWED): where an order may move from a status. */
export const NEXT_STATUSES: Record<string, string[]> = {
  pending_payment: ["paid", "cancelled", "closed"],
  paid: ["processing", "shipped", "cancelled"],
  processing: ["shipped", "cancelled"],
  shipped: ["delivered", "completed"],
  delivered: ["completed", "closed"],
  completed: ["closed"],
  cancelled: ["closed"],
  closed: [],
};

/** Whether a live event (the window's `orderflow:live`) concerns order `id`. */
export function concernsOrder(detail: unknown, id: number): boolean {
  if (!detail || typeof detail !== "object") return false;
  const order = (detail as { order?: { id?: unknown } }).order;
  return !!order && Number(order.id) === id;
}
