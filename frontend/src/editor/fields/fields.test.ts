import { describe, expect, it } from "vitest";
import type { JsonSchema } from "../../api/types";
import fixture from "./catalog-order-paid.fixture.json";
import { fieldsFromVariables, fieldTree, fullTitle, kindOf, optionsOf, pickerOf, titleOf } from "./fields";

const context = fixture.event.context_schema as JsonSchema;

describe("the field tree of a real catalog event (order.paid, served with the contract's metadata)", () => {
  const fields = fieldTree(context);
  const byPath = new Map(fields.map((f) => [f.path, f]));

  it("titles every field in both languages and gives it a kind", () => {
    expect(fields.length).toBeGreaterThan(10);
    for (const f of fields) {
      expect(f.title.zh, f.path).toBeTruthy();
      expect(f.title.en, f.path).toBeTruthy();
      expect(f.title.zh, f.path).not.toBe(f.key);
    }
  });

  it("reads the channel as a named thing (a picker), the total as money, the status as a labelled enum", () => {
    expect(byPath.get("order.channel")).toMatchObject({ kind: "text", picker: "channel", title: { zh: "渠道" } });
    expect(byPath.get("order.total_amount")).toMatchObject({
      kind: "money",
      title: { zh: "订单金额", en: "Order total" },
    });
    const status = byPath.get("order.status")!;
    expect(status.kind).toBe("enum");
    expect(status.options.find((o) => o.value === "paid")?.label.zh).toBeTruthy();
  });

  it("puts a parent before its children and leaves out the event envelope and earlier steps", () => {
    const paths = fields.map((f) => f.path);
    expect(paths.indexOf("order")).toBeLessThan(paths.indexOf("order.channel"));
    expect(paths.some((p) => p.startsWith("event") || p.startsWith("steps"))).toBe(false);
    expect(byPath.get("order")!.branch).toBe(true);
  });

  it("names a nested field with its parents", () => {
    expect(fullTitle("order.total_amount", fields, "zh")).toBe("订单 › 订单金额");
  });
});

describe("a schema without the metadata (an older back end) still gives kinds, titles and labels", () => {
  it("infers the kind from type, format, pattern and key", () => {
    expect(kindOf({ type: "string", pattern: "^-?[0-9]+\\.[0-9]{2}$" }, "x")).toBe("money");
    expect(kindOf({ type: "string" }, "goods_amount")).toBe("money");
    expect(kindOf({ type: "string", format: "date-time" }, "x")).toBe("time");
    expect(kindOf({ type: ["string", "null"] }, "paid_at")).toBe("time");
    expect(kindOf({ type: "integer" }, "order_id")).toBe("id");
    expect(kindOf({ type: "integer" }, "quantity")).toBe("integer");
    expect(kindOf({ type: "array" }, "tags")).toBe("list");
    expect(kindOf({ type: "boolean" }, "on_hold")).toBe("bool");
    expect(kindOf({ type: "string", enum: ["a"] }, "x")).toBe("enum");
    expect(kindOf({ type: "string", "x-kind": "money" }, "x")).toBe("money");
    expect(kindOf({ type: "string", "x-kind": "nonsense" }, "x")).toBe("text");
  });

  it("titles from x-title, else the localized title, else the app's words, else the key", () => {
    expect(titleOf({ "x-title": { zh: "甲", en: "A" } }, "k")).toEqual({ zh: "甲", en: "A" });
    expect(titleOf({ title_zh: "乙", title_en: "B" }, "k")).toEqual({ zh: "乙", en: "B" });
    expect(titleOf({}, "number")).toEqual({ zh: "订单号", en: "Order number" });
    expect(titleOf({}, "mystery")).toEqual({ zh: "mystery", en: "mystery" });
  });

  it("labels enum values from x-enum-labels first, and drops empty values", () => {
    const schema: JsonSchema = { enum: ["", "paid", "weird"], "x-enum-labels": { weird: { zh: "怪", en: "Odd" } } };
    expect(optionsOf(schema)).toEqual([
      { value: "paid", label: { zh: "已付款", en: "Paid" } },
      { value: "weird", label: { zh: "怪", en: "Odd" } },
    ]);
  });

  it("knows which keys name things when x-picker is missing", () => {
    expect(pickerOf({}, "queue")).toBe("queue");
    expect(pickerOf({}, "assignee_role")).toBe("role");
    expect(pickerOf({ "x-picker": "sku" }, "whatever")).toBe("sku");
    expect(pickerOf({}, "title")).toBeNull();
  });

  it("turns a caller's variables (path and JSON type) into fields", () => {
    const [amount] = fieldsFromVariables([{ path: "refund.amount", type: "number" }]);
    expect(amount).toMatchObject({ path: "refund.amount", kind: "number", depth: 0 });
  });
});
