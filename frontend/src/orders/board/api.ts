/** The order board's endpoints: orders (list, bulk, export), channels and the user's saved views. */
import { api, withQuery, type Page } from "../../api/client";
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type Order = Schemas["Order"];
export type OrderStatus = Schemas["Status55bEnum"];
export type Channel = Schemas["Channel"];
export type BoardFilters = Schemas["BoardFilters"];
export type BoardView = Schemas["BoardView"];
export type BoardViewInput = Schemas["BoardViewRequest"];
export type BoardColumn = Schemas["ColumnsEnum"];
export type Ordering = Schemas["OrderingEnum"];
export type Layout = Schemas["LayoutEnum"];
export type BulkAction = Schemas["ActionEnum"];
export type BulkRequest = Schemas["BulkRequest"];
export type BulkAnswer = Schemas["BulkAnswer"];
export type BulkResult = Schemas["_BulkResultOut"];

/** Query parameters of `GET /api/v1/orders/` (and of its CSV export). */
export type OrderQuery = Record<string, string>;

export const boardApi = {
  orders: (query: OrderQuery, cursor: string | null, signal?: AbortSignal) =>
    api<Page<Order>>(cursor ?? withQuery("/api/v1/orders/", query), { signal }),
  channels: (signal?: AbortSignal) => api<Channel[]>("channels/", { signal }),
  views: (signal?: AbortSignal) => api<BoardView[]>("board-views/", { signal }),
  createView: (body: BoardViewInput) => api<BoardView>("board-views/", { method: "POST", body }),
  updateView: (id: number, body: Partial<BoardViewInput>) =>
    api<BoardView>(`board-views/${id}/`, { method: "PATCH", body }),
  deleteView: (id: number) => api<void>(`board-views/${id}/`, { method: "DELETE" }),
  bulk: (body: BulkRequest) => api<BulkAnswer>("orders/bulk/", { method: "POST", body }),
  exportUrl: (query: OrderQuery, lang: "zh" | "en") => withQuery("/api/v1/orders/export.csv", { ...query, lang }),
};

export { nextPath } from "../../api/client";
