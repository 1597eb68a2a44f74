/** The flows, runtime and catalog endpoints the app uses, in one place. */
import { api, apiAll, ApiError, type Page } from "./client";
import type {
  Catalog,
  DocumentDiff,
  Execution,
  ExecutionStats,
  Flow,
  FlowDocument,
  Problem,
  TestRunResult,
  Version,
  VersionSummary,
} from "./types";

export const flowsApi = {
  list: (query: { q?: string; enabled?: boolean }, signal?: AbortSignal) =>
    api<Page<Flow> | Flow[]>("flows/", { query: { ...query, page_size: 200 }, signal }),
  get: (id: number, signal?: AbortSignal) => api<Flow>(`flows/${id}/`, { signal }),
  create: (body: { name?: string; definition?: FlowDocument }) => api<Flow>("flows/", { method: "POST", body }),
  saveDraft: (id: number, definition: FlowDocument, signal?: AbortSignal) =>
    api<Flow>(`flows/${id}/`, { method: "PATCH", body: { definition }, signal }),
  /** Deletes a never-published flow (no answer); a published one is archived (the answer is the flow, `state` archived). */
  remove: (id: number) => api<Flow | undefined>(`flows/${id}/`, { method: "DELETE" }),
  /** A new draft copy of the flow, owned by the caller. */
  duplicate: (id: number, name?: string) =>
    api<Flow>(`flows/${id}/duplicate/`, { method: "POST", body: name ? { name } : {} }),
  /** `enable`: switch the flow on with this publish (a first publish asks); omitted, the flow stays as it is. */
  publish: (id: number, notes: string, enable?: boolean) =>
    api<VersionSummary | Flow>(`flows/${id}/publish/`, {
      method: "POST",
      body: enable === undefined ? { notes } : { notes, enable },
    }),
  setEnabled: (id: number, enabled: boolean) =>
    api<Flow>(`flows/${id}/${enabled ? "enable" : "disable"}/`, { method: "POST", body: {} }),
  versions: (id: number) => apiAll<VersionSummary>(`flows/${id}/versions/`),
  version: (id: number, number: number) => api<Version>(`flows/${id}/versions/${number}/`),
  diff: (id: number, from: number | "draft", to: number | "draft") =>
    api<DocumentDiff>(`flows/${id}/diff/`, { query: { from, to } }),
  rollback: (id: number, version: number, notes = "") =>
    api<VersionSummary | Flow>(`flows/${id}/rollback/`, { method: "POST", body: { version, notes } }),
  /** The document's problems ([] when it may be published); the API answers 400 `invalid_flow` with them. */
  validate: async (definition: FlowDocument, signal?: AbortSignal): Promise<Problem[]> => {
    try {
      return (await api<{ problems: Problem[] }>("flows/validate/", { method: "POST", body: { definition }, signal }))
        .problems;
    } catch (error) {
      const problems = problemsOf(error);
      if (problems) return problems;
      throw error;
    }
  },
  /** On an event written out, or on a real order found by its number, platform id or the customer's full phone. */
  testRun: (id: number, body: { event: unknown } | { order: string }) =>
    api<TestRunResult>(`flows/${id}/test-run/`, { method: "POST", body }),
  backTest: (id: number, body: { days: number }) =>
    api<Record<string, unknown>>(`flows/${id}/back-test/`, { method: "POST", body: { days: body.days } }),
};

export const executionsApi = {
  list: (query: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    api<Page<Execution> | Execution[]>("executions/", { query, signal }),
  get: (id: number, signal?: AbortSignal) => api<Execution>(`executions/${id}/`, { signal }),
  replay: (id: number) => api<Execution>(`executions/${id}/replay/`, { method: "POST", body: {} }),
  /** Last run and the runs and failures of the last 7 days, of each of these flows (at most 200), in one call. */
  stats: (flowIds: number[], signal?: AbortSignal) =>
    api<ExecutionStats>(`executions/stats/?${new URLSearchParams(flowIds.map((id) => ["flow", String(id)]))}`, {
      signal,
    }),
};

export const catalogApi = {
  get: (signal?: AbortSignal) => api<Catalog>("catalog/", { signal }),
};

/** Dead executions (a step failed for good) are the ones an operator replays. */
export const DEAD = "dead";

/** The `details.problems` of an `invalid_flow` error, or null for any other error. */
export function problemsOf(error: unknown): Problem[] | null {
  if (error instanceof ApiError && error.code === "invalid_flow") {
    const details = error.details as { problems?: Problem[] } | null;
    return details?.problems ?? [];
  }
  return null;
}
