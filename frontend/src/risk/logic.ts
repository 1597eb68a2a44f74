/** What the risk page computes: the fields rules may read, evidence as text, rates, refusals. */
import { ApiError } from "../api/client";
import type { Variable } from "../editor/variables";
import type { Language } from "../i18n/i18n";

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

export type { Translate };
