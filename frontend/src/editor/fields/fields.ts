/**
 * What the editor knows of a context field or an action parameter, read from the catalog's schema
 * metadata (builder contract): `x-title` {zh, en}, `x-kind`, `x-enum-labels` and `x-picker`. A schema
 * from a back end without the metadata still gives a kind, a title and labels, inferred from its
 * type, format, pattern and the app's own labels, so the editor never shows a bare path.
 */
import type { JsonSchema, Localized } from "../../api/types";
import { ENUM_LABELS, PARAM_LABELS } from "../labels";

export const KINDS = ["money", "number", "integer", "text", "time", "bool", "list", "enum", "object", "id"] as const;
export type Kind = (typeof KINDS)[number];

/** The picker kinds the server answers at `/api/v1/pickers/<kind>/` (builder/catalog.py). */
export const PICKERS = [
  "channel",
  "status",
  "queue",
  "tag",
  "role",
  "user",
  "warehouse",
  "sku",
  "connection",
  "message_template",
  "ticket_priority",
] as const;
export type PickerKind = (typeof PICKERS)[number];

export interface FieldInfo {
  /** The dotted path a rule reads (`order.total_amount`). */
  path: string;
  key: string;
  title: Localized;
  kind: Kind;
  /** An enum's values with their labels, in the schema's order. */
  options: { value: string; label: Localized }[];
  picker: PickerKind | null;
  /** How deep in the tree (0: `order`, 1: `order.channel`). */
  depth: number;
  /** Whether it holds fields of its own (shown as a heading of the tree, still pickable). */
  branch: boolean;
}

/** Keys whose values name things, when the schema does not say `x-picker` (older back ends). */
const PICKER_BY_KEY: Record<string, PickerKind> = {
  channel: "channel",
  queue: "queue",
  tag: "tag",
  tags: "tag",
  warehouse: "warehouse",
  sku: "sku",
  assignee_role: "role",
  to_role: "role",
  role: "role",
  priority: "ticket_priority",
  status: "status",
  to: "status",
  connection: "connection",
  template: "message_template",
};

/** Titles of the common context fields, when the schema has no `x-title`. */
const FIELD_TITLES: Record<string, [string, string]> = {
  order: ["订单", "Order"],
  event: ["事件", "Event"],
  number: ["订单号", "Order number"],
  channel: ["渠道", "Channel"],
  status: ["状态", "Status"],
  total_amount: ["订单金额", "Order total"],
  goods_amount: ["商品金额", "Goods amount"],
  shipping_amount: ["运费", "Shipping"],
  discount_amount: ["优惠金额", "Discount"],
  currency: ["币种", "Currency"],
  customer: ["顾客", "Customer"],
  name: ["姓名", "Name"],
  phone: ["手机号", "Phone"],
  credit_level: ["信用等级", "Credit level"],
  external_id: ["平台单号", "Platform order id"],
  shipping_address: ["收货地址", "Shipping address"],
  province: ["省份", "Province"],
  city: ["城市", "City"],
  district: ["区县", "District"],
  line: ["详细地址", "Address line"],
  postcode: ["邮编", "Postcode"],
  tags: ["标签", "Tags"],
  lines: ["商品行", "Lines"],
  paid_at: ["支付时间", "Paid at"],
  created_at: ["创建时间", "Created at"],
  occurred_at: ["发生时间", "Occurred at"],
  status_changed_at: ["状态变更时间", "Status changed at"],
  on_hold: ["已挂起", "On hold"],
  gift_for: ["礼物收件人", "Gift for"],
  id: ["编号", "Id"],
  title: ["标题", "Title"],
  quantity: ["数量", "Quantity"],
  unit_price: ["单价", "Unit price"],
  line_total: ["小计", "Line total"],
  waited_minutes: ["已等待分钟数", "Minutes waited"],
  // The refund policy's rule (refunds/PolicyEditor.tsx): the customer's record and the refund.
  months: ["成为顾客的月数", "Months as a customer"],
  orders: ["订单数", "Orders"],
  return_rate: ["退货率", "Return rate"],
  disputes: ["纠纷次数", "Disputes"],
  amount: ["金额", "Amount"],
  reason: ["原因", "Reason"],
};

/** Channel codes the app names (the channel picker answers these from the real rows). */
const CHANNEL_LABELS: Record<string, [string, string]> = {
  tmall: ["天猫", "Tmall"],
  taobao: ["淘宝", "Taobao"],
  jd: ["京东", "JD"],
  pdd: ["拼多多", "Pinduoduo"],
  douyin: ["抖音", "Douyin"],
  shopify: ["Shopify", "Shopify"],
  manual: ["手工录入", "Manual"],
  wechat: ["微信", "WeChat"],
  sms: ["短信", "SMS"],
  email: ["邮件", "Email"],
};

function pair(p: [string, string] | undefined): Localized | null {
  return p ? { zh: p[0], en: p[1] } : null;
}

function typeOf(schema: JsonSchema): string {
  const type = schema.type;
  if (Array.isArray(type)) return type.filter((t) => t !== "null")[0] ?? "null";
  return typeof type === "string" ? type : "any";
}

/** The field's kind: `x-kind`, else read from its JSON Schema. */
export function kindOf(schema: JsonSchema, key = ""): Kind {
  const declared = schema["x-kind"];
  if (typeof declared === "string" && (KINDS as readonly string[]).includes(declared)) return declared as Kind;
  if (Array.isArray(schema.enum)) return "enum";
  const type = typeOf(schema);
  if (type === "integer") return key === "id" || key.endsWith("_id") ? "id" : "integer";
  if (type === "number") return "number";
  if (type === "boolean") return "bool";
  if (type === "array") return "list";
  if (type === "object") return "object";
  if (type === "string") {
    if (schema.format === "date-time" || key.endsWith("_at")) return "time";
    if (typeof schema.pattern === "string" && /\\\.\[?0-9|\\d\{2\}|\[0-9\]\{2\}/.test(schema.pattern)) return "money";
    if (key.endsWith("_amount") || key === "amount" || key.endsWith("_price") || key.endsWith("_total")) return "money";
  }
  return "text";
}

/** The field's title in both languages: `x-title`, else the schema's localized title, else the app's labels, else the key. */
export function titleOf(schema: JsonSchema, key: string): Localized {
  const declared = schema["x-title"] as Localized | undefined;
  if (declared && (declared.zh || declared.en)) return declared;
  const zh = schema.title_zh as string | undefined;
  const en = (schema.title_en as string | undefined) ?? (schema.title as string | undefined);
  if (zh || en) return { zh: zh ?? en ?? key, en: en ?? zh ?? key };
  return pair(FIELD_TITLES[key]) ?? pair(PARAM_LABELS[key]) ?? { zh: key, en: key };
}

/** The label of one enum or picker value when the schema gives none. */
export function valueLabel(value: string): Localized {
  return pair(ENUM_LABELS[value]) ?? pair(CHANNEL_LABELS[value]) ?? { zh: value, en: value };
}

export function pickerOf(schema: JsonSchema, key: string): PickerKind | null {
  const declared = schema["x-picker"];
  if (typeof declared === "string") return declared as PickerKind;
  return PICKER_BY_KEY[key] ?? null;
}

export function optionsOf(schema: JsonSchema): { value: string; label: Localized }[] {
  if (!Array.isArray(schema.enum)) return [];
  const labels = (schema["x-enum-labels"] ?? {}) as Record<string, Localized>;
  return schema.enum
    .filter((v) => v !== null && v !== "")
    .map((v) => ({ value: String(v), label: labels[String(v)] ?? valueLabel(String(v)) }));
}

export function fieldInfo(schema: JsonSchema, key: string, path: string, depth: number): FieldInfo {
  const kind = kindOf(schema, key);
  return {
    path,
    key,
    title: titleOf(schema, key),
    kind,
    options: optionsOf(schema),
    picker: pickerOf(schema, key),
    depth,
    branch: kind === "object" && !!schema.properties,
  };
}

const MAX_DEPTH = 3;

/**
 * The tree of a context schema's fields, depth first (a parent before its children). Lists of objects
 * give their length only (a rule on "any line" needs the advanced view); `steps` (earlier steps'
 * outputs) is left to the variables.
 */
export function fieldTree(schema: JsonSchema | null | undefined, prefix = "", depth = 0): FieldInfo[] {
  if (!schema || depth > MAX_DEPTH) return [];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return [];
  const out: FieldInfo[] = [];
  for (const [key, child] of Object.entries(properties)) {
    if (depth === 0 && (key === "steps" || key === "event")) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const info = fieldInfo(child, key, path, depth);
    out.push(info);
    if (info.branch) out.push(...fieldTree(child, path, depth + 1));
  }
  return out;
}

/** The field's title with its parents', e.g. "订单 › 顾客 › 手机号". */
export function fullTitle(path: string, fields: FieldInfo[], language: "zh" | "en"): string {
  const parts = path.split(".");
  const names: string[] = [];
  for (let i = 1; i <= parts.length; i += 1) {
    const prefix = parts.slice(0, i).join(".");
    const found = fields.find((f) => f.path === prefix);
    names.push(found ? found.title[language] || found.key : parts[i - 1]);
  }
  return names.join(" › ");
}

/** Fields for a caller that lists its variables by path and JSON type (the refund policy's rule). */
export function fieldsFromVariables(variables: { path: string; type: string; label?: Localized }[]): FieldInfo[] {
  return variables.map((v) => {
    const key = v.path.split(".").pop() ?? v.path;
    const schema: JsonSchema = { type: v.type };
    const title = v.label ?? titleOf(schema, key);
    return { ...fieldInfo(schema, key, v.path, 0), title };
  });
}
