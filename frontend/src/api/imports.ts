/** The order-file imports and each channel's column mapping (connectors/imports/api.py), in one place. */
import { api, type Page } from "./client";
import type { components } from "./schema";

type Schemas = components["schemas"];

export type OrderImport = Schemas["OrderImport"];
export type OrderImportStatus = Schemas["OrderImportStatusEnum"];
export type ColumnMapping = Schemas["ColumnMapping"];
export type ColumnMappingRequest = Schemas["ColumnMappingRequest"];
export type OrderField = Schemas["Field"];

/** An import's counts (`counts`, free-form to the schema). */
export interface ImportCounts {
  created: number;
  updated: number;
  ignored: number;
  failed: number;
}

/** The roles that may upload files and edit mappings (connectors/imports/api.py UPLOADERS). */
export const IMPORT_UPLOADERS = ["operator", "admin"];

/** An import that has not ended yet: its page polls it. */
export function isRunning(job: Pick<OrderImport, "status">): boolean {
  return job.status === "queued" || job.status === "running";
}

export const orderImportsApi = {
  list: (signal?: AbortSignal) => api<Page<OrderImport>>("order-imports/", { query: { page_size: 20 }, signal }),
  get: (id: number, signal?: AbortSignal) => api<OrderImport>(`order-imports/${id}/`, { signal }),
  upload: (file: File, channel: string) => {
    const body = new FormData();
    body.append("file", file);
    body.append("channel", channel);
    return api<OrderImport>("order-imports/", { method: "POST", body });
  },
  mapping: (channel: string, signal?: AbortSignal) =>
    api<ColumnMapping>(`order-imports/mappings/${encodeURIComponent(channel)}/`, { signal }),
  saveMapping: (channel: string, body: ColumnMappingRequest) =>
    api<ColumnMapping>(`order-imports/mappings/${encodeURIComponent(channel)}/`, { method: "PUT", body }),
};
