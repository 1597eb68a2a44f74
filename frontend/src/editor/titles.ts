/**
 * What a node is called on the canvas when the operator has not named it: the action's name and its
 * key parameter ("创建工单：客服", "加标签：vip"), and for a condition what it checks
 * ("渠道 是 天猫 且 订单金额 ≥ 599"). A label the operator wrote always wins.
 */
import type { CatalogAction, FlowNode, JsonValue, Localized } from "../api/types";
import { fromJsonLogic, unary, type Group, type Rule } from "./condition";
import { fullTitle, type FieldInfo, valueLabel } from "./fields/fields";
import { toDisplay } from "./fields/template";

type Lang = "zh" | "en";

/** The params that say what an action does to what, most telling first. */
const KEY_PARAMS = [
  "queue",
  "tag",
  "to",
  "to_role",
  "template",
  "warehouse",
  "sku",
  "channel",
  "minutes",
  "title",
  "text",
  "url",
];

const MAX = 24;

function clip(text: string): string {
  const chars = [...text];
  return chars.length > MAX ? `${chars.slice(0, MAX - 1).join("")}…` : text;
}

function said(value: JsonValue, key: string, lang: Lang, labels: Map<string, string>): string {
  if (typeof value === "string") {
    if (value.includes("{{")) return toDisplay(value, labels);
    return ["queue", "to", "to_role", "channel", "priority"].includes(key) ? valueLabel(value)[lang] : value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

export function actionTitle(
  node: { action: string; params?: Record<string, JsonValue> },
  spec: Pick<CatalogAction, "name" | "params_schema"> | undefined,
  lang: Lang,
  labels: Map<string, string> = new Map(),
): string {
  const name = spec ? spec.name[lang] || spec.name.en : node.action;
  const params = node.params ?? {};
  const declared = spec?.params_schema["x-key-param"];
  const keys = typeof declared === "string" ? [declared, ...KEY_PARAMS] : KEY_PARAMS;
  for (const key of keys) {
    if (!(key in params)) continue;
    const text = said(params[key], key, lang, labels).trim();
    if (text) return `${name}${lang === "zh" ? "：" : ": "}${clip(text)}`;
  }
  return name;
}

const SIGNS: Record<string, Localized> = {
  "==": { zh: "是", en: "is" },
  "!=": { zh: "不是", en: "is not" },
  ">": { zh: ">", en: ">" },
  ">=": { zh: "≥", en: "≥" },
  "<": { zh: "<", en: "<" },
  "<=": { zh: "≤", en: "≤" },
  in: { zh: "是", en: "is" },
  contains: { zh: "包含", en: "contains" },
  "!contains": { zh: "不含", en: "lacks" },
  starts: { zh: "开头是", en: "starts with" },
  truthy: { zh: "有值", en: "is set" },
  falsy: { zh: "为空", en: "is empty" },
};

function ruleText(rule: Rule, fields: FieldInfo[], lang: Lang): string {
  const field = fields.find((f) => f.path === rule.field);
  const name = field ? field.title[lang] : fullTitle(rule.field, fields, lang);
  const sign = SIGNS[rule.operator][lang];
  if (unary(rule.operator)) return `${name} ${sign}`;
  const one = (v: JsonValue) => {
    const s = v === null ? "" : String(v);
    const option = field?.options.find((o) => o.value === s);
    return option ? option.label[lang] : field?.picker ? valueLabel(s)[lang] : s;
  };
  const values = Array.isArray(rule.value) ? rule.value.map(one).join(lang === "zh" ? "或" : " or ") : one(rule.value);
  return `${name} ${sign} ${values}`;
}

function groupText(group: Group, fields: FieldInfo[], lang: Lang): string {
  const joiner = group.combinator === "and" ? (lang === "zh" ? " 且 " : " and ") : lang === "zh" ? " 或 " : " or ";
  return group.children
    .map((c) => (c.kind === "rule" ? ruleText(c, fields, lang) : `(${groupText(c, fields, lang)})`))
    .join(joiner);
}

/** The condition in words, or "" when it is empty or needs the advanced view. */
export function conditionTitle(rule: JsonValue, fields: FieldInfo[], lang: Lang): string {
  const model = fromJsonLogic(rule);
  if (!model || model.children.length === 0) return "";
  return groupText(model, fields, lang);
}

/** The node's title on the canvas. */
export function nodeTitle(
  node: FlowNode,
  actions: Map<string, CatalogAction>,
  fields: FieldInfo[],
  lang: Lang,
  labels: Map<string, string> = new Map(),
): string {
  if (node.label) return node.label;
  if (node.type === "action") return actionTitle(node, actions.get(node.action), lang, labels);
  return conditionTitle(node.rule, fields, lang) || (lang === "zh" ? "条件" : "Condition");
}
