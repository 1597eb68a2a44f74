/** The parcels API: merge suggestions, merge, un-merge, split, waybills, hand-over and the label PDF. */
import { ApiError, api, csrfToken } from "../../api/client";
import type { components } from "../../api/schema";

export type Parcel = components["schemas"]["Parcel"];
export type Suggestion = components["schemas"]["Suggestion"];
export type Courier = "sf" | "kuaidi100";

export const parcelsApi = {
  ofOrder: (orderId: number, signal?: AbortSignal) =>
    api<{ results: Parcel[] }>(`orders/${orderId}/parcels/`, { signal }).then((a) => a.results),
  suggestions: (orderId: number | null, signal?: AbortSignal) =>
    api<{ results: Suggestion[] }>("parcels/merge-suggestions/", {
      query: orderId === null ? undefined : { order: orderId },
      signal,
    }).then((a) => a.results),
  merge: (orderIds: number[]) => api<Parcel>("parcels/merge/", { method: "POST", body: { order_ids: orderIds } }),
  unmerge: (parcelId: number) =>
    api<{ results: Parcel[] }>(`parcels/${parcelId}/unmerge/`, { method: "POST", body: {} }),
  split: (orderId: number, by: "warehouse" | "availability", laterSkus: string[]) =>
    api<{ results: Parcel[] }>(`orders/${orderId}/split/`, { method: "POST", body: { by, later_skus: laterSkus } }),
  waybill: (parcelId: number, courier: Courier) =>
    api<Parcel>(`parcels/${parcelId}/waybill/`, { method: "POST", body: { courier } }),
  cancelWaybill: (parcelId: number, reason: string) =>
    api<Parcel>(`parcels/${parcelId}/waybill/cancel/`, { method: "POST", body: { reason } }),
  waybills: (orderIds: number[], courier: Courier) =>
    api<{ parcels: Parcel[]; errors: Record<string, { code: string; message: string }> }>("waybills/", {
      method: "POST",
      body: { order_ids: orderIds, courier },
    }),
  ship: (parcelId: number) => api<Parcel>(`parcels/${parcelId}/ship/`, { method: "POST", body: {} }),
};

/** Splits "A, B ,,C" into ["A", "B", "C"]. */
export function skuList(text: string): string[] {
  return text
    .split(/[,，\s]+/)
    .map((sku) => sku.trim())
    .filter(Boolean);
}

/** Fetches the labels PDF (a POST: the ids may be many) and opens it in a new tab for printing. */
export async function labelsOpen(body: { order_ids: number[] } | { parcel_ids: number[] }): Promise<void> {
  const response = await fetch("/api/v1/labels/", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/pdf", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const error = (await response.json().catch(() => ({}))) as { code?: string; message?: string; details?: unknown };
    throw new ApiError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? "",
      error.details ?? {},
    );
  }
  const url = URL.createObjectURL(await response.blob());
  window.open(url, "_blank", "noopener");
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
