/** The connectors catalog and the connections endpoints (connectors/api), in one place. */
import { api, apiAll, type Page } from "./client";
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Connector = Schemas["Connector"];
export type Connection = Schemas["Connection"];
export type ConnectionHealth = Schemas["Health"];
export type Delivery = Schemas["Delivery"];
export type DeliveryOutcome = Schemas["DeliveryOutcomeEnum"];
export type PollRun = Schemas["PollRun"];
export type StockPush = Schemas["StockPush"];
export type NotificationLog = Schemas["NotificationLog"];
export type CheckResult = Schemas["Check"];
export type ConnectionCreate = Schemas["ConnectionCreateRequest"];
export type ConnectionUpdate = Schemas["PatchedConnectionUpdateRequest"];
/** POST connections/{id}/sandbox/orders/ {count}: the deliveries the simulator made and the orders they carried. */
export type SandboxOrdersAnswer = Schemas["SandboxOrdersAnswer"];

/** What a delivery's processing did (`result`, free-form to the schema): one entry per order it carried. */
export interface DeliveryResult {
  orders?: { external_id: string; order?: number; outcome: string; error?: string }[];
}

/** The lists under a connection show their newest rows: one page is what the page reads. */
const RECENT = 50;

export const connectorsApi = {
  list: (signal?: AbortSignal) => api<Connector[]>("connectors/", { signal }),
};

export const connectionsApi = {
  list: () => apiAll<Connection>("connections/", { page_size: 200 }),
  get: (id: number, signal?: AbortSignal) => api<Connection>(`connections/${id}/`, { signal }),
  create: (body: ConnectionCreate) => api<Connection>("connections/", { method: "POST", body }),
  update: (id: number, body: ConnectionUpdate) => api<Connection>(`connections/${id}/`, { method: "PATCH", body }),
  remove: (id: number) => api<void>(`connections/${id}/`, { method: "DELETE" }),
  test: (id: number) => api<CheckResult>(`connections/${id}/test/`, { method: "POST" }),
  sandboxOrders: (id: number, count: number) =>
    api<SandboxOrdersAnswer>(`connections/${id}/sandbox/orders/`, { method: "POST", body: { count } }),
  deliveries: (id: number, signal?: AbortSignal) =>
    api<Page<Delivery>>(`connections/${id}/deliveries/`, { query: { page_size: RECENT }, signal }),
  replay: (deliveryId: number) => api<Delivery>(`deliveries/${deliveryId}/replay/`, { method: "POST" }),
  /** Polls the platform now: 200 with the finished run, 409 `poll_running` when a poll holds the connection. */
  poll: (id: number) => api<PollRun>(`connections/${id}/poll/`, { method: "POST" }),
  pollRuns: (id: number, signal?: AbortSignal) =>
    api<Page<PollRun>>(`connections/${id}/poll-runs/`, { query: { page_size: RECENT }, signal }),
  /** The notification log of a notification connection: what was sent through it, newest first. */
  notifications: (id: number, signal?: AbortSignal) =>
    api<Page<NotificationLog>>("notifications/", { query: { connection: id, page_size: RECENT }, signal }),
  stock: (id: number, signal?: AbortSignal) =>
    api<Page<StockPush>>(`connections/${id}/stock/`, { query: { page_size: RECENT }, signal }),
};
