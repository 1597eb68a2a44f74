/** The reconciliation API (`/api/v1/reconciliation/`) as the page uses it; shapes from the generated schema. */
import { api } from "../api/client";
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type DaySummary = Schemas["ReconciliationDaySummary"];
export type DayReport = Schemas["ReconciliationDayReport"];
export type Difference = Schemas["ReconciliationDifference"];
export type Statement = Schemas["ReconciliationStatement"];
export type StatementUploaded = Schemas["ReconciliationStatementUploaded"];

export const reconciliationApi = {
  days: (signal?: AbortSignal) => api<DaySummary[]>("reconciliation/days/", { signal }),
  report: (day: string, signal?: AbortSignal) => api<DayReport>(`reconciliation/days/${day}/`, { signal }),
  run: (day: string, tolerance?: string) =>
    api<DaySummary[]>("reconciliation/days/", {
      method: "POST",
      body: tolerance ? { date_from: day, tolerance } : { date_from: day },
    }),
  resolve: (id: number, reason: string) =>
    api<Difference>(`reconciliation/differences/${id}/resolve/`, { method: "POST", body: { reason } }),
  uploadStatement: (day: string, kind: "bank" | "cod", account: string, file: File) => {
    const body = new FormData();
    body.append("day", day);
    body.append("kind", kind);
    body.append("account", account);
    body.append("file", file);
    return api<StatementUploaded>("reconciliation/statements/", { method: "POST", body });
  },
  exportUrl: (day: string, format: "csv" | "xlsx", lang: "zh" | "en") =>
    `/api/v1/reconciliation/days/${day}/export/?format=${format}&lang=${lang}`,
};
