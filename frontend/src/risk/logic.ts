/** What the risk page computes: the fields rules may read, evidence as text, rates, refusals. */
import { ApiError } from "../api/client";
import type { Variable } from "../editor/variables";
import type { JsonValue } from "../api/types";
import type { Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

type Translate = (key: never, vars?: Record<string, string | number>) => string;

/** The facts a risk rule may read (commerce.risk.facts.FIELDS), with their names. */
export const RISK_FIELDS: { path: string; type: string; zh: string; en: string }[] = [
  { path: "order.total_amount", type: "number", zh: "订单金额", en: "Order amount" },
  { path: "order.channel", type: "string", zh: "渠道", en: "Channel" },
  { path: "order.client_ip", type: "string", zh: "下单 IP", en: "Client IP" },
  { path: "order.device", type: "string", zh: "下单设备", en: "Device" },
  {
    path: "ip.orders_10m",
    type: "number",
    zh: "该 IP 近 10 分钟下单数",
    en: "Orders from this IP in the last 10 minutes",
  },
  {
    path: "phone.accounts",
    type: "number",
    zh: "使用该手机号的账号数（30 天）",
    en: "Accounts using this phone (30 days)",
  },
  { path: "phone.virtual", type: "boolean", zh: "虚拟号段", en: "Virtual number range" },
  { path: "phone.virtual_kind", type: "string", zh: "号段类型", en: "Range kind" },
  {
    path: "address.accounts",
    type: "number",
    zh: "使用该地址的账号数（30 天）",
    en: "Accounts using this address (30 days)",
  },
  {
    path: "address.cluster_accounts_24h",
    type: "number",
    zh: "相近地址 24 小时内的账号数",
    en: "Accounts at near-identical addresses in 24 h",
  },
  { path: "blacklist.any", type: "boolean", zh: "命中黑名单", en: "On the blacklist" },
  { path: "blacklist.phone", type: "boolean", zh: "手机号在黑名单", en: "Phone blacklisted" },
  { path: "blacklist.address", type: "boolean", zh: "地址在黑名单", en: "Address blacklisted" },
  { path: "blacklist.account", type: "boolean", zh: "账号在黑名单", en: "Account blacklisted" },
  { path: "blacklist.ip", type: "boolean", zh: "IP 在黑名单", en: "IP blacklisted" },
  { path: "customer.orders", type: "number", zh: "客户历史订单数", en: "Customer's earlier orders" },
  {
    path: "customer.average_amount",
    type: "number",
    zh: "客户历史平均订单金额",
    en: "Customer's average order amount",
  },
  {
    path: "customer.amount_ratio",
    type: "number",
    zh: "本单金额 / 历史平均",
    en: "This amount / the customer's average",
  },
];

/** The facts a smart-audit check may read (commerce.screening.facts.FIELDS). */
export const AUDIT_FIELDS: { path: string; type: string; zh: string; en: string }[] = [
  { path: "order.total_amount", type: "number", zh: "订单金额", en: "Order amount" },
  { path: "order.channel", type: "string", zh: "渠道", en: "Channel" },
  { path: "order.status", type: "string", zh: "订单状态", en: "Order status" },
  { path: "order.on_hold", type: "boolean", zh: "订单已挂起", en: "Order on hold" },
  { path: "order.remark", type: "string", zh: "买家留言", en: "Buyer remark" },
  { path: "address.complete", type: "boolean", zh: "地址完整", en: "Address complete" },
  { path: "stock.allocated", type: "boolean", zh: "库存已分配", en: "Stock allocated" },
];

export function variablesOf(fields: typeof RISK_FIELDS, language: Language): Variable[] {
  return fields.map((f) => ({ path: f.path, type: f.type, title: language === "zh" ? f.zh : f.en }));
}

/** A sample of the facts for the condition builder's try-out: every field with a plain value. */
export function sampleOf(fields: typeof RISK_FIELDS): Record<string, Record<string, unknown>> {
  const sample: Record<string, Record<string, unknown>> = {};
  for (const f of fields) {
    const [group, name] = f.path.split(".", 2);
    sample[group] = { ...(sample[group] ?? {}), [name]: f.type === "number" ? 0 : f.type === "boolean" ? false : "" };
  }
  return sample;
}

/** Each piece of evidence as "name: value", named in the user's language. */
export function evidenceText(evidence: Record<string, unknown>, language: Language): string[] {
  return Object.entries(evidence).map(([path, value]) => {
    const field = RISK_FIELDS.find((f) => f.path === path);
    const name = field ? (language === "zh" ? field.zh : field.en) : path;
    const shown =
      value === true
        ? language === "zh"
          ? "是"
          : "yes"
        : value === false
          ? language === "zh"
            ? "否"
            : "no"
          : String(value);
    return `${name}: ${shown}`;
  });
}

/** A rate 0..1 as a percentage with one decimal. */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** The server's refusal in words: the field it names, or its message. */
export function refusal(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details = (error.details ?? {}) as Record<string, unknown>;
  const first = Object.entries(details)[0];
  if (first) return `${first[0]}: ${Array.isArray(first[1]) ? first[1].join(" ") : JSON.stringify(first[1])}`;
  return error.message;
}

/** The parts of a risk rule a person writes (the action is always "hold the order for review"). */
export interface RuleDraft {
  key: string;
  name_zh: string;
  name_en: string;
  condition: JsonValue;
  enabled: boolean;
}

export const RULE_PARTS = ["key", "name_zh", "name_en", "condition"] as const;
export type RulePart = (typeof RULE_PARTS)[number];

/** A new rule: no condition yet (an empty "all of" group for the builder), switched on. */
export function emptyRule(): RuleDraft {
  return { key: "", name_zh: "", name_en: "", condition: { and: [] }, enabled: true };
}

/** A key from the English name, as the server's SlugField takes it: `Big order, new IP` → `big_order_new_ip`. */
export function ruleKeyFrom(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 48)
    .replace(/_+$/, "");
}

function readsAField(condition: JsonValue): boolean {
  if (Array.isArray(condition)) return condition.some(readsAField);
  if (condition && typeof condition === "object") {
    return Object.entries(condition).some(
      ([op, args]) =>
        (op === "var" && (typeof args === "string" ? args !== "" : true)) || readsAField(args as JsonValue),
    );
  }
  return false;
}

/** What is wrong before asking the server, by part, as message keys; empty when the draft may be sent. */
export function ruleProblems(draft: RuleDraft, isNew: boolean): Partial<Record<RulePart, MessageKey>> {
  const problems: Partial<Record<RulePart, MessageKey>> = {};
  if (isNew && !/^[-a-zA-Z0-9_]{1,48}$/.test(draft.key)) problems.key = "risk.rule.problem.key";
  if (!draft.name_zh.trim()) problems.name_zh = "risk.rule.problem.name";
  if (!draft.name_en.trim()) problems.name_en = "risk.rule.problem.name";
  if (!readsAField(draft.condition)) problems.condition = "risk.rule.problem.condition";
  return problems;
}

/** The server's refusal of a rule, on the part it concerns (`details` of the error body), and the rest as a sentence. */
export function serverProblems(error: unknown): { parts: Partial<Record<RulePart, string>>; general: string } {
  if (!(error instanceof ApiError)) return { parts: {}, general: refusal(error) };
  const details = (error.details ?? {}) as Record<string, unknown>;
  const parts: Partial<Record<RulePart, string>> = {};
  const rest: string[] = [];
  for (const [name, value] of Object.entries(details)) {
    const text = Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : JSON.stringify(value);
    if ((RULE_PARTS as readonly string[]).includes(name)) parts[name as RulePart] = text;
    else rest.push(`${name}: ${text}`);
  }
  return { parts, general: rest.length ? rest.join("；") : Object.keys(parts).length ? "" : error.message };
}

export type { Translate };
