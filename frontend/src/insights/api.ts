/** The KPI, threshold and alert endpoints (insights/kpis, insights/alerts), in one place. */
import { api, type Page } from "../api/client";
import type { Alert, AlertStatus, KpiAnswer, KpiQuery, Threshold, ThresholdPatch } from "./types";

/** The roles that may change thresholds (the contract: admins only). */
export const THRESHOLD_EDITORS = ["admin"];
/** The roles that may resolve an alert (order workers and managers: core.accounts.roles). */
export const ALERT_RESOLVERS = ["operator", "supervisor", "admin", "manager"];

/** Reads a cursor `next` link as a path the client can fetch (same origin). */
function pathOf(link: string): string {
  const url = new URL(link, window.location.origin);
  return url.pathname + url.search;
}

export const kpisApi = {
  get: (query: KpiQuery, signal?: AbortSignal) =>
    api<KpiAnswer>("kpis/", { query: { from: query.from, to: query.to, channel: query.channel }, signal }),
  thresholds: (signal?: AbortSignal) => api<Threshold[]>("kpis/thresholds/", { signal }),
  saveThresholds: (body: ThresholdPatch) => api<Threshold[]>("kpis/thresholds/", { method: "PATCH", body }),
};

export const alertsApi = {
  /** One page of alerts; `next` is the previous answer's link for the page after it. */
  list: (status: AlertStatus, next: string | null, signal?: AbortSignal) =>
    next ? api<Page<Alert>>(pathOf(next), { signal }) : api<Page<Alert>>("alerts/", { query: { status }, signal }),
  resolve: (id: number, note: string) => api<unknown>(`alerts/${id}/resolve/`, { method: "POST", body: { note } }),
};
