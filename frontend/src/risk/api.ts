/** The risk review and smart audit APIs (`/api/v1/risk/`, `/api/v1/screening/`); shapes from the generated schema. */
import { api, apiAll } from "../api/client";
import type { components } from "../api/schema";
import type { JsonValue } from "../api/types";

type Schemas = components["schemas"];

export type RiskReview = Schemas["RiskReview"];
export type RiskHit = Schemas["RiskHit"];
export type RiskRule = Schemas["RiskRule"];
export type BlacklistEntry = Schemas["RiskBlacklistEntry"];
export type ScreeningCase = Schemas["ScreeningCase"];
export type ScreeningRuleSet = Schemas["ScreeningRuleSet"];
export type BlacklistKind = "phone" | "address" | "account" | "ip";
export const BLACKLIST_KINDS: BlacklistKind[] = ["phone", "address", "account", "ip"];

export interface ScreeningCheck {
  key: string;
  name_zh: string;
  name_en: string;
  condition: JsonValue;
}

export const riskApi = {
  reviews: (state: string) => apiAll<RiskReview>("risk/reviews/", { state }, 200),
  approve: (orderId: number, note: string) =>
    api<RiskReview>(`risk/reviews/${orderId}/approve/`, { method: "POST", body: { note } }),
  reject: (orderId: number, reason: string, blacklist: BlacklistKind[]) =>
    api<RiskReview>(`risk/reviews/${orderId}/reject/`, { method: "POST", body: { reason, blacklist } }),
  blacklistOrder: (orderId: number, kinds: BlacklistKind[], reason: string) =>
    api<BlacklistEntry[]>(`risk/reviews/${orderId}/blacklist/`, { method: "POST", body: { kinds, reason } }),
  rules: (signal?: AbortSignal) => api<RiskRule[]>("risk/rules/", { signal }),
  saveRule: (id: number, changes: { name_zh?: string; name_en?: string; condition?: JsonValue; enabled?: boolean }) =>
    api<RiskRule>(`risk/rules/${id}/`, { method: "PATCH", body: changes }),
  createRule: (rule: { key: string; name_zh: string; name_en: string; condition: JsonValue; enabled: boolean }) =>
    api<RiskRule>("risk/rules/", { method: "POST", body: rule }),
  blacklist: () => apiAll<BlacklistEntry>("risk/blacklist/", {}, 500),
  addBlacklist: (kind: BlacklistKind, value: string, reason: string) =>
    api<BlacklistEntry>("risk/blacklist/", { method: "POST", body: { kind, value, reason } }),
  removeBlacklist: (id: number) => api<void>(`risk/blacklist/${id}/`, { method: "DELETE" }),
  cases: (state: string) => apiAll<ScreeningCase>("screening/cases/", { state }, 200),
  pass: (orderId: number, note: string) =>
    api<ScreeningCase>(`screening/cases/${orderId}/pass/`, { method: "POST", body: { note } }),
  rejectCase: (orderId: number, reason: string) =>
    api<ScreeningCase>(`screening/cases/${orderId}/reject/`, { method: "POST", body: { reason } }),
  ruleSet: (signal?: AbortSignal) => api<ScreeningRuleSet>("screening/rule-set/", { signal }),
  saveRuleSet: (checks: ScreeningCheck[], note: string) =>
    api<ScreeningRuleSet>("screening/rule-set/", { method: "POST", body: { document: { checks }, note } }),
};
