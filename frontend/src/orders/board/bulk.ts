/** Bulk actions on the board: the request a form makes, and what the per-order answer says. */
import type { MessageKey } from "../../i18n/messages";
import type { BulkAction, BulkAnswer, BulkRequest, OrderStatus } from "./api";

/** The most orders one bulk request may name (commerce.orders.bulk.MAX_ORDERS). */
export const MAX_BULK = 500;

export const BULK_ACTIONS: BulkAction[] = ["tag", "untag", "hold", "release", "transition"];

export interface BulkForm {
  action: BulkAction;
  tag: string;
  reason: string;
  note: string;
  to: OrderStatus | "";
}

export const EMPTY_BULK_FORM: BulkForm = { action: "tag", tag: "", reason: "", note: "", to: "" };

/** The request for `ids`, or the message that says what is missing. */
export function bulkRequest(ids: number[], form: BulkForm): { body: BulkRequest } | { error: MessageKey } {
  if (ids.length === 0) return { error: "orders.board.bulk.noneSelected" };
  if (ids.length > MAX_BULK) return { error: "orders.board.bulk.tooMany" };
  const body: BulkRequest = { ids: [...new Set(ids)], action: form.action, reason: "", note: "" };
  if (form.action === "tag" || form.action === "untag") {
    if (!form.tag.trim()) return { error: "orders.board.bulk.needTag" };
    body.tag = form.tag.trim();
  }
  if (form.action === "hold") {
    if (!form.reason.trim()) return { error: "orders.board.bulk.needReason" };
    body.reason = form.reason.trim();
  }
  if (form.action === "transition") {
    if (!form.to) return { error: "orders.board.bulk.needStatus" };
    body.to = form.to;
    body.reason = form.reason.trim();
  }
  if (form.action === "release") body.note = form.note.trim();
  return { body };
}

export interface BulkFailure {
  id: number;
  number: string;
  code: string;
  message: string;
}

export interface BulkSummary {
  applied: number;
  unchanged: number;
  failed: number;
  failures: BulkFailure[];
}

/** Counts the outcomes and lists each failed order by its number. */
export function bulkSummary(answer: BulkAnswer, numbers: Map<number, string>): BulkSummary {
  const summary: BulkSummary = { applied: 0, unchanged: 0, failed: 0, failures: [] };
  for (const result of answer.results) {
    if (result.ok) {
      if (result.outcome === "applied") summary.applied += 1;
      else summary.unchanged += 1;
    } else {
      summary.failed += 1;
      summary.failures.push({
        id: result.id,
        number: numbers.get(result.id) ?? `#${result.id}`,
        code: result.code ?? "error",
        message: result.message ?? "",
      });
    }
  }
  return summary;
}

/** The message for a failed order's error code; `null` when the app has none (show the server's words). */
export function bulkErrorKey(code: string): MessageKey | null {
  const known: Record<string, MessageKey> = {
    not_found: "orders.board.bulkError.not_found",
    invalid_transition: "orders.board.bulkError.invalid_transition",
    invalid: "orders.board.bulkError.invalid",
  };
  return known[code] ?? null;
}
