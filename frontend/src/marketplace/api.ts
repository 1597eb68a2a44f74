/** The marketplace API (`/api/v1/templates/…`), typed by hand from its answers. */
import { api } from "../api/client";
import type { Flow, FlowDocument, Localized } from "../api/types";

export type ParameterKind = "money" | "number" | "integer" | "text" | "enum" | "bool" | "time";

export interface TemplateParameter {
  key: string;
  type: ParameterKind;
  title: Localized;
  help: Partial<Localized>;
  default: unknown;
  required: boolean;
  "x-picker"?: string;
  enum?: string[];
  "x-enum-labels"?: Record<string, Localized>;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export interface Category {
  key: string;
  title: Localized;
  count: number;
}

export interface TemplateSummary {
  key: string;
  recipe: number | null;
  version: number;
  title: Localized;
  description: Localized;
  category: string;
  category_title: Localized;
  tags: string[];
  connectors: string[];
  connector_titles: Localized[];
  trigger: string;
  nodes: number;
  parameters: TemplateParameter[];
  ready: boolean;
  missing_connectors: string[];
}

export interface Need {
  key: string;
  connector: string;
  connector_title: Localized;
  title: Localized;
  present: boolean;
  options: { id: number; name: string; sandbox: boolean }[];
  connect_url: string;
  explanation: Localized | null;
}

export interface TemplateDetail extends TemplateSummary {
  changelog: { version: number; date?: string; notes?: Localized }[];
  needs: Need[];
  document: FlowDocument;
}

export interface TestRun {
  ran: boolean;
  reason?: string;
  fired?: boolean;
  trace?: { node_id: string; status: string; decision: boolean | null }[];
}

export interface InstallResult {
  flow: Flow;
  test_run: TestRun | null;
  missing_connections: Need[];
}

export interface Installation {
  flow: number;
  flow_name: string;
  template: string;
  version: number;
  latest_version: number | null;
  update_available: boolean;
}

export interface UpdatePreview {
  flow: number;
  template: string;
  installed_version: number;
  latest_version: number | null;
  update_available: boolean;
  changelog: { version: number; notes?: Localized }[];
  diff: { nodes: { added: string[]; changed: { id: string; fields: string[] }[] } } | null;
  document: FlowDocument | null;
}

export const marketApi = {
  list: (query: { category?: string; q?: string }, signal?: AbortSignal) =>
    api<{ categories: Category[]; results: TemplateSummary[] }>("templates/", { query, signal }),
  get: (key: string, signal?: AbortSignal) => api<TemplateDetail>(`templates/${key}/`, { signal }),
  install: (
    key: string,
    body: {
      params: Record<string, unknown>;
      connections: Record<string, number>;
      enable: boolean;
      test_event?: string;
    },
  ) => api<InstallResult>(`templates/${key}/install/`, { method: "POST", body }),
  installations: (signal?: AbortSignal) => api<{ results: Installation[] }>("templates/installations/", { signal }),
  preview: (flowId: number) => api<UpdatePreview>(`templates/installations/${flowId}/`),
  update: (flowId: number) => api<UpdatePreview>(`templates/installations/${flowId}/update/`, { method: "POST" }),
  importFile: (file: unknown) => api<{ flows: Flow[] }>("templates/import/", { method: "POST", body: { file } }),
  pickers: (kind: string, q: string, connector?: string) =>
    api<{ kind: string; options: { value: string | number; label: Localized; hint: string }[] }>(`pickers/${kind}/`, {
      query: { q, limit: 20, connector },
    }),
};

export const exportUrl = (flowIds: number[]) => `/api/v1/templates/export/?flows=${flowIds.join(",")}`;
