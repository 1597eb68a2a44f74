import { describe, expect, it } from "vitest";
import { chip, fromDisplay, segments, toDisplay, uniqueLabels } from "./template";

const labels = uniqueLabels([
  { path: "order.number", label: "订单号" },
  { path: "order.customer.name", label: "顾客·姓名" },
  { path: "order.shipping_address.name", label: "顾客·姓名" },
]);

describe("variables as labelled chips over the stored template", () => {
  it("shows {{ path }} as 「label」 and stores 「label」 as {{ path }}", () => {
    const stored = "VIP 订单 {{ order.number }} 优先发货";
    const shown = toDisplay(stored, labels);
    expect(shown).toBe("VIP 订单 「订单号」 优先发货");
    expect(fromDisplay(shown, labels)).toBe(stored);
  });

  it("round-trips several variables, spacing variants and unknown paths", () => {
    for (const stored of [
      "{{order.number}}",
      "a {{ order.number }}{{ order.customer.name }} b",
      "{{ order.unknown }} stays",
      "{{ order.number | upper }} keeps its filter",
      "no variables at all",
      "",
    ]) {
      const back = fromDisplay(toDisplay(stored, labels), labels);
      expect(back.replace(/\{\{\s*/g, "{{ ").replace(/\s*\}\}/g, " }}")).toBe(
        stored.replace(/\{\{\s*/g, "{{ ").replace(/\s*\}\}/g, " }}"),
      );
    }
  });

  it("makes a repeated label unique with its path", () => {
    expect(labels.get("order.customer.name")).toBe("顾客·姓名");
    expect(labels.get("order.shipping_address.name")).toBe("顾客·姓名 order.shipping_address.name");
    const shown = toDisplay("{{ order.shipping_address.name }}", labels);
    expect(fromDisplay(shown, labels)).toBe("{{ order.shipping_address.name }}");
  });

  it("leaves brackets the operator typed that name no variable", () => {
    expect(fromDisplay("「促销」活动", labels)).toBe("「促销」活动");
  });

  it("splits the stored text into text and variable segments for drawing chips", () => {
    expect(segments("VIP {{ order.number }}!", labels)).toEqual([
      { kind: "text", text: "VIP " },
      { kind: "var", path: "order.number", label: "订单号" },
      { kind: "text", text: "!" },
    ]);
    expect(chip("order.number", labels)).toBe("「订单号」");
  });
});
