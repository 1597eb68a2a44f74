/**
 * The visual condition builder's model and its JsonLogic form.
 *
 * A condition is a group of rules joined by AND or OR; a group may hold groups. Each rule compares
 * a context field with a value. The JsonLogic written is the plain form every implementation
 * understands, and reading it back gives the same model:
 *
 *   ==, !=, >, >=, <, <=   {"<op>": [{"var": field}, value]}
 *   in (is one of)         {"in": [{"var": field}, [v1, v2…]]}
 *   contains               {"in": [value, {"var": field}]}        (substring, or item of a list)
 *   !contains              {"!": {"in": [value, {"var": field}]}}
 *   starts with            {"==": [{"substr": [{"var": field}, 0, len]}, value]}
 *   truthy / falsy         {"!!": {"var": field}} / {"!": {"var": field}}
 *   older (than N min)     {">=": [{"minutes_since": [{"var": field}]}, N]}  (N in minutes; hours × 60)
 *   group                  {"and": [...]} / {"or": [...]}
 */
import type { JsonValue } from "../api/types";

export const COMPARISONS = ["==", "!=", ">", ">=", "<", "<="] as const;
export const OPERATORS = [...COMPARISONS, "in", "contains", "!contains", "starts", "truthy", "falsy", "older"] as const;
export type Operator = (typeof OPERATORS)[number];
/** The JsonLogic operators the builder writes. */
export const JSONLOGIC_OPERATORS = [
  "==",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "in",
  "!",
  "!!",
  "and",
  "or",
  "var",
  "substr",
  "minutes_since",
] as const;

export interface Rule {
  kind: "rule";
  field: string;
  operator: Operator;
  value: JsonValue;
}

export interface Group {
  kind: "group";
  combinator: "and" | "or";
  children: (Rule | Group)[];
}

export function unary(operator: Operator): boolean {
  return operator === "truthy" || operator === "falsy";
}

export function emptyGroup(combinator: "and" | "or" = "and"): Group {
  return { kind: "group", combinator, children: [] };
}

export function toJsonLogic(item: Group | Rule): JsonValue {
  if (item.kind === "group") return { [item.combinator]: item.children.map(toJsonLogic) };
  const field = { var: item.field };
  switch (item.operator) {
    case "truthy":
      return { "!!": field };
    case "falsy":
      return { "!": field };
    case "contains":
      return { in: [item.value, field] };
    case "!contains":
      return { "!": { in: [item.value, field] } };
    case "in":
      return { in: [field, Array.isArray(item.value) ? item.value : [item.value]] };
    case "older":
      return { ">=": [{ minutes_since: [field] }, item.value] };
    case "starts": {
      const prefix = typeof item.value === "string" ? item.value : String(item.value ?? "");
      return { "==": [{ substr: [field, 0, [...prefix].length] }, prefix] };
    }
    default:
      return { [item.operator]: [field, item.value] };
  }
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

function single(value: JsonValue): [string, JsonValue] | null {
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  return keys.length === 1 ? [keys[0], value[keys[0]]] : null;
}

function varPath(value: JsonValue): string | null {
  const entry = single(value);
  if (!entry || entry[0] !== "var") return null;
  const arg = Array.isArray(entry[1]) ? (entry[1].length === 1 ? entry[1][0] : null) : entry[1];
  return typeof arg === "string" ? arg : null;
}

function args(value: JsonValue): JsonValue[] {
  return Array.isArray(value) ? value : [value];
}

function isLiteral(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.every((v) => !isObject(v) && !Array.isArray(v));
  return !isObject(value);
}

/** `{"substr": [{"var": f}, 0, n]}` compared with a text of n characters: "starts with". */
function startsWith(left: JsonValue, right: JsonValue): Rule | null {
  const entry = single(left);
  if (!entry || entry[0] !== "substr" || !Array.isArray(entry[1]) || entry[1].length !== 3) return null;
  const [source, from, length] = entry[1];
  const field = varPath(source);
  if (field === null || from !== 0 || typeof right !== "string" || length !== [...right].length) return null;
  return { kind: "rule", field, operator: "starts", value: right };
}

/** `{">=": [{"minutes_since": [{"var": f}]}, N]}`: "older than N minutes" (N a number, or null while unset). */
function olderThan(left: JsonValue, right: JsonValue): Rule | null {
  const entry = single(left);
  if (!entry || entry[0] !== "minutes_since") return null;
  const list = args(entry[1]);
  const field = list.length === 1 ? varPath(list[0]) : null;
  if (field === null || (right !== null && typeof right !== "number")) return null;
  return { kind: "rule", field, operator: "older", value: right };
}

function ruleFrom(value: JsonValue): Rule | null {
  const entry = single(value);
  if (!entry) return null;
  const [op, raw] = entry;
  const list = args(raw);
  if ((COMPARISONS as readonly string[]).includes(op)) {
    if (list.length !== 2) return null;
    const starts = startsWith(list[0], list[1]);
    if (op === "==" && starts) return starts;
    const older = olderThan(list[0], list[1]);
    if (op === ">=" && older) return older;
    const field = varPath(list[0]);
    if (field === null || !isLiteral(list[1]) || Array.isArray(list[1])) return null;
    return { kind: "rule", field, operator: op as Operator, value: list[1] };
  }
  if (op === "in" && list.length === 2) {
    const left = varPath(list[0]);
    if (left !== null && Array.isArray(list[1]) && isLiteral(list[1]))
      return { kind: "rule", field: left, operator: "in", value: list[1] };
    const right = varPath(list[1]);
    if (right !== null && isLiteral(list[0]) && !Array.isArray(list[0]))
      return { kind: "rule", field: right, operator: "contains", value: list[0] };
    return null;
  }
  if (op === "!!" && list.length === 1) {
    const field = varPath(list[0]);
    return field === null ? null : { kind: "rule", field, operator: "truthy", value: null };
  }
  if (op === "!" && list.length === 1) {
    const field = varPath(list[0]);
    if (field !== null) return { kind: "rule", field, operator: "falsy", value: null };
    const inner = ruleFrom(list[0]);
    if (inner && inner.operator === "contains") return { ...inner, operator: "!contains" };
  }
  return null;
}

function groupFrom(value: JsonValue): Group | null {
  const entry = single(value);
  if (!entry || (entry[0] !== "and" && entry[0] !== "or") || !Array.isArray(entry[1])) return null;
  const children: (Rule | Group)[] = [];
  for (const child of entry[1]) {
    const parsed = groupFrom(child) ?? ruleFrom(child);
    if (!parsed) return null;
    children.push(parsed);
  }
  return { kind: "group", combinator: entry[0], children };
}

/**
 * The builder model for a JsonLogic rule, or null when the rule uses forms the builder cannot
 * show (it is then edited as JSON). A lone rule becomes a one-rule AND group; writing that group
 * back gives `{"and": [rule]}`, which means the same.
 */
export function fromJsonLogic(rule: JsonValue | undefined): Group | null {
  if (rule === undefined || rule === null || (isObject(rule) && Object.keys(rule).length === 0)) return emptyGroup();
  const group = groupFrom(rule);
  if (group) return group;
  const lone = ruleFrom(rule);
  return lone ? { kind: "group", combinator: "and", children: [lone] } : null;
}

/**
 * Turns what the operator typed into the value the rule compares with: numbers for numeric
 * comparisons and numeric fields, booleans for boolean fields, a list for "is one of".
 */
export function coerceValue(text: string, operator: Operator, fieldType?: string): JsonValue {
  if (operator === "in") {
    return text
      .split(/[,，]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => coerceValue(part, "==", fieldType));
  }
  const trimmed = text.trim();
  if (fieldType === "boolean") {
    if (trimmed === "true") return true;
    if (trimmed === "false") return false;
  }
  const numeric = trimmed !== "" && /^-?\d+(\.\d+)?$/.test(trimmed);
  if (numeric && (fieldType === "number" || fieldType === "integer" || [">", ">=", "<", "<="].includes(operator)))
    return Number(trimmed);
  if (trimmed === "null" && fieldType !== "string") return null;
  return text;
}

export function valueText(value: JsonValue): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The operators a field's kind offers: numbers and money compare as numbers; text equals, contains or
 * starts with… (contains); enums and named things "is one of"; lists contain; times are "older than
 * N minutes/hours" (when the engine behind has `minutes_since`: `ages`, the flows'), set or empty;
 * others are set or empty. A rule read from JSON keeps its operator even when the kind would not offer it.
 */
export function operatorsFor(kind: string | undefined, { ages = false }: { ages?: boolean } = {}): Operator[] {
  switch (kind) {
    case "money":
    case "number":
    case "integer":
      // "At least" first: the comparison amounts are usually made with.
      return [">=", ">", "<=", "<", "==", "!="];
    case "enum":
      return ["in", "==", "!="];
    case "text":
      return ["==", "!=", "contains", "!contains", "starts", "in", "truthy", "falsy"];
    case "list":
      return ["contains", "!contains", "truthy", "falsy"];
    case "bool":
      return ["truthy", "falsy"];
    case "id":
      return ["==", "!=", "in"];
    case "time":
      return ages ? ["older", "truthy", "falsy"] : ["truthy", "falsy"];
    case "object":
      return ["truthy", "falsy"];
    default:
      return OPERATORS.filter((op) => ages || op !== "older");
  }
}

/** The value a rule starts with when its field or operator changes: a list for "is one of", else empty. */
export function initialValue(operator: Operator, kind: string | undefined): JsonValue {
  if (unary(operator) || operator === "older") return null;
  if (operator === "in") return [];
  if (kind === "money" || kind === "number" || kind === "integer") return null;
  return "";
}

export type AgeUnit = "minutes" | "hours";

/** An "older than" rule's minutes as the operator reads them: whole hours in hours, else minutes. */
export function ageParts(minutes: JsonValue): { amount: number | null; unit: AgeUnit } {
  if (typeof minutes !== "number") return { amount: null, unit: "hours" };
  return minutes > 0 && minutes % 60 === 0
    ? { amount: minutes / 60, unit: "hours" }
    : { amount: minutes, unit: "minutes" };
}

/** The minutes an "older than" rule stores for N minutes or hours; null while no number is typed. */
export function ageMinutes(text: string, unit: AgeUnit): number | null {
  const amount = numberValue(text);
  if (typeof amount !== "number") return null;
  return unit === "hours" ? Math.round(amount * 60 * 1000) / 1000 : amount;
}

/** The value typed for a numeric kind as a number (money compares as a number, never as text). */
export function numberValue(text: string): JsonValue {
  const trimmed = text.trim().replace(/[,，¥￥\s]/g, "");
  if (trimmed === "" || !/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}
