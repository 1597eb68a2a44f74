/** The paths a rule or a `{{ template }}` may name, read from the trigger's context schema and earlier steps' outputs. */
import type { JsonSchema, Localized } from "../api/types";
import { kindOf, titleOf, type Kind } from "./fields/fields";

export interface Variable {
  path: string;
  type: string;
  title?: string;
  /** The name the operator sees (a chip 「订单号」): the field's title, with its parent's below the first level. */
  label?: Localized;
  kind?: Kind;
}

const MAX_DEPTH = 4;

function typeOf(schema: JsonSchema): string {
  const type = schema.type;
  if (Array.isArray(type)) return type.filter((t) => t !== "null").join("|") || "null";
  return typeof type === "string" ? type : "any";
}

/** Every leaf and object path below `schema` (arrays give `path.length` and their first item's fields as `path.0.x`). */
export function schemaPaths(
  schema: JsonSchema | null | undefined,
  prefix = "",
  depth = 0,
  parent: Localized | null = null,
): Variable[] {
  if (!schema || depth > MAX_DEPTH) return [];
  const out: Variable[] = [];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    for (const [key, child] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const type = typeOf(child);
      if (key === "steps" && depth === 0) continue;
      const own = titleOf(child, key);
      const label = parent && depth > 1 ? { zh: `${parent.zh}·${own.zh}`, en: `${parent.en} ${own.en}` } : own;
      out.push({
        path,
        type,
        title: (child.title as string | undefined) ?? (child.description as string | undefined),
        label,
        kind: kindOf(child, key),
      });
      if (child.properties) out.push(...schemaPaths(child, path, depth + 1, own));
      if (type === "array" && child.items && typeof child.items === "object") {
        const items = child.items as JsonSchema;
        if (items.properties) out.push(...schemaPaths(items, `${path}.0`, depth + 1, own));
      }
    }
  }
  return out;
}

/** A value of the schema's shape, for the sample event and the condition preview. */
export function sampleFor(
  schema: JsonSchema | null | undefined,
  path = "",
  overrides: Record<string, unknown> = {},
): unknown {
  if (path in overrides) return overrides[path];
  if (!schema) return null;
  if (schema.examples && Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if ("default" in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = typeOf(schema).split("|")[0];
  switch (type) {
    case "object": {
      const result: Record<string, unknown> = {};
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      for (const [key, child] of Object.entries(properties))
        result[key] = sampleFor(child, path ? `${path}.${key}` : key, overrides);
      return result;
    }
    case "array":
      return schema.items && typeof schema.items === "object"
        ? [sampleFor(schema.items as JsonSchema, `${path}.0`, overrides)]
        : [];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    case "string":
      if (schema.format === "date-time") return "2026-01-01T08:00:00Z";
      if (typeof schema.pattern === "string" && schema.pattern.includes("[0-9]{2}")) return "100.00";
      return "";
    default:
      return null;
  }
}

/** Realistic values for an order context, so the sample event reads like a real paid Tmall order. */
export const SAMPLE_OVERRIDES: Record<string, unknown> = {
  "event.id": 1,
  "event.occurred_at": "2026-06-18T02:00:00Z",
  "order.id": 1,
  "order.number": "OF-20260618-0001",
  "order.channel": "tmall",
  "order.external_id": "TM-618-0001",
  "order.status": "paid",
  "order.customer": { id: 1, name: "张伟", phone: "13800138000", credit_level: 3 },
  "order.currency": "CNY",
  "order.goods_amount": "699.00",
  "order.shipping_amount": "0.00",
  "order.discount_amount": "0.00",
  "order.total_amount": "699.00",
  "order.shipping_address": {
    name: "张伟",
    phone: "13800138000",
    province: "浙江省",
    city: "杭州市",
    district: "西湖区",
    line: "文三路 90 号",
    postcode: "310000",
  },
  "order.tags": [],
  "order.lines": [
    {
      id: 1,
      position: 1,
      sku: "TEA-0001",
      title: "西湖龙井 250g",
      quantity: 1,
      unit_price: "699.00",
      line_total: "699.00",
    },
  ],
  "order.paid_at": "2026-06-18T02:00:00Z",
  "order.on_hold": false,
  "order.gift_for": null,
  steps: {},
};

/** Reads a dotted path from a value (numeric parts index lists). */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
