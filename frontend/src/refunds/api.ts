/** The refunds API (`/api/v1/refunds/`) as the board uses it; shapes from the generated schema. */
import { api, apiAll, type Page } from "../api/client";
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Refund = Schemas["Refund"];
export type RefundDetail = Schemas["RefundDetail"];
export type RefundSummary = Schemas["RefundSummary"];
export type RefundPolicy = Schemas["Policy"];
export type RefundEvidence = Schemas["Evidence"];
export type BulkApproveResult = Schemas["BulkApproveResult"];
export type FilingLink = Schemas["FilingLink"];

export interface RefundFilters {
  status?: string;
  queue?: string;
  order?: string;
}

export interface RefundFiling {
  order: number;
  amount: string;
  reason: string;
  note: string;
  lines: { sku: string; quantity: number }[];
  return_needed: boolean;
}

export interface ReturnLine {
  sku: string;
  quantity: number;
  condition: "sellable" | "damaged";
}

export interface OrderBrief {
  id: number;
  number: string;
  status: string;
  total_amount: string;
  lines: { sku: string; quantity: number; title?: string }[];
}

export const refundsApi = {
  list: (filters: RefundFilters) => apiAll<Refund>("refunds/", { ...filters }, 500),
  get: (id: number, signal?: AbortSignal) => api<RefundDetail>(`refunds/${id}/`, { signal }),
  summary: (date: string, signal?: AbortSignal) => api<RefundSummary>("refunds/summary/", { query: { date }, signal }),
  file: (body: RefundFiling) => api<Refund>("refunds/", { method: "POST", body }),
  approve: (id: number, note: string, reference: string) =>
    api<RefundDetail>(`refunds/${id}/approve/`, { method: "POST", body: { note, reference } }),
  reject: (id: number, reason: string) =>
    api<RefundDetail>(`refunds/${id}/reject/`, { method: "POST", body: { reason } }),
  cancel: (id: number, note: string) => api<RefundDetail>(`refunds/${id}/cancel/`, { method: "POST", body: { note } }),
  returnReceived: (id: number, lines: ReturnLine[], tracking_no: string) =>
    api<RefundDetail>(`refunds/${id}/return-received/`, { method: "POST", body: { lines, tracking_no } }),
  retry: (id: number) => api<RefundDetail>(`refunds/${id}/retry/`, { method: "POST" }),
  uploadEvidence: (id: number, file: File) => {
    const body = new FormData();
    body.append("file", file);
    return api<RefundEvidence>(`refunds/${id}/evidence/`, { method: "POST", body });
  },
  deleteEvidence: (id: number, evidenceId: number) =>
    api<void>(`refunds/${id}/evidence/${evidenceId}/`, { method: "DELETE" }),
  /** One call for the whole selection: each id approved or refused (with why) in its own transaction. */
  bulkApprove: (ids: number[], note: string) =>
    api<Schemas["BulkApproveAnswer"]>("refunds/bulk-approve/", { method: "POST", body: { ids, note } }),
  /** The customer's filing page for an order (发送退款链接): signed, 7 days. */
  filingLink: (order: number) => api<FilingLink>("refunds/filing-link/", { method: "POST", body: { order } }),
  policy: (signal?: AbortSignal) => api<RefundPolicy>("refunds/policy/", { signal }),
  savePolicy: (document: Record<string, unknown>, note: string) =>
    api<RefundPolicy>("refunds/policy/", { method: "POST", body: { document, note } }),
  /** An order by its id, or by its number through the order list's search. */
  async findOrder(text: string): Promise<OrderBrief | null> {
    const wanted = text.trim();
    if (!wanted) return null;
    if (/^\d+$/.test(wanted)) {
      try {
        return await api<OrderBrief>(`orders/${wanted}/`);
      } catch {
        /* not an id: try it as a number */
      }
    }
    const page = await api<Page<OrderBrief>>("orders/", { query: { q: wanted } });
    return page.results.find((o) => o.number === wanted) ?? null;
  },
};
