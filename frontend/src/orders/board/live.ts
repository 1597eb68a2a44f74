/**
 * What the board does with the app's live events (`window` `orderflow:live`, see contracts): a new
 * order counts toward the "N new orders" banner when it could belong to the view; a status change
 * moves an order the board already shows.
 */
import type { BoardFilters, Order, OrderStatus } from "./api";

export const LIVE_EVENT = "orderflow:live";

/** The order part of a live event (contracts: `{id, number, status, channel, total_amount}`). */
export interface LiveOrder {
  id: number;
  number: string;
  status: string;
  channel: string;
  total_amount: string;
}

export interface LiveDetail {
  type: string;
  id?: number;
  occurred_at?: string;
  order?: LiveOrder;
}

/** Events that change an order's status or hold (the order they carry is as it is now). */
const CHANGES = new Set(["order.status_changed", "order.paid", "order.cancelled", "order.held", "order.timeout"]);

export type LiveChange = { kind: "new"; order: LiveOrder } | { kind: "changed"; order: LiveOrder } | null;

/**
 * Whether `order` could be in a view with these filters. Only the status and the channel can be
 * told from a live event; the other filters are checked when the board reloads.
 */
export function couldMatch(order: LiveOrder, filters: BoardFilters): boolean {
  if (filters.status?.length && !filters.status.includes(order.status as OrderStatus)) return false;
  if (filters.channel && filters.channel !== order.channel) return false;
  return true;
}

export function liveChange(detail: LiveDetail | null | undefined, filters: BoardFilters): LiveChange {
  if (!detail?.order || typeof detail.order.id !== "number") return null;
  if (detail.type === "order.created")
    return couldMatch(detail.order, filters) ? { kind: "new", order: detail.order } : null;
  if (CHANGES.has(detail.type)) return { kind: "changed", order: detail.order };
  return null;
}

/** The rows with the changed order's status brought up to date; the same array when it is not shown. */
export function applyChange(rows: Order[], order: LiveOrder): Order[] {
  const index = rows.findIndex((row) => row.id === order.id);
  if (index < 0 || rows[index].status === order.status) return rows;
  const next = rows.slice();
  next[index] = { ...rows[index], status: order.status as OrderStatus };
  return next;
}

/**
 * A kanban column after a status change: the card leaves the column it no longer belongs to, and
 * the column the order moved into reloads its first page (a live event does not carry the whole
 * order) when the order could belong to the view.
 */
export function columnChange(
  column: OrderStatus,
  cards: Order[],
  order: LiveOrder,
  filters: BoardFilters,
): { cards: Order[]; reload: boolean } {
  const shown = cards.some((card) => card.id === order.id);
  if (order.status === column) return { cards, reload: !shown && couldMatch(order, filters) };
  return { cards: shown ? cards.filter((card) => card.id !== order.id) : cards, reload: false };
}
