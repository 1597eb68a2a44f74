import { describe, expect, it } from "vitest";
import type { Need, TemplateParameter } from "./api";
import { changedAnswers, initialConnections, initialText, parseAnswer } from "./answers";

const money: TemplateParameter = {
  key: "threshold",
  type: "money",
  title: { zh: "金额", en: "Amount" },
  help: {},
  default: 599,
  required: true,
  minimum: 0,
  maximum: 1000,
};
const quantity: TemplateParameter = { ...money, key: "quantity", type: "integer", default: 1 };
const sku: TemplateParameter = { ...money, key: "sku", type: "text", default: "GIFT-TOTE" };

describe("the install wizard's answers", () => {
  it("start from the defaults and send only what changed", () => {
    expect(initialText(money)).toBe("599");
    expect(changedAnswers([money, sku], {})).toEqual({ params: {}, errors: {} });
    expect(changedAnswers([money, sku], { threshold: "799", sku: "GIFT-MUG" })).toEqual({
      params: { threshold: 799, sku: "GIFT-MUG" },
      errors: {},
    });
  });

  it("show a time in Beijing time and send it only when changed", () => {
    const start: TemplateParameter = { ...money, key: "start", type: "time", default: "2026-12-23T16:00:00Z" };
    expect(initialText(start)).toBe("2026-12-24 00:00");
    expect(changedAnswers([start], {})).toEqual({ params: {}, errors: {} });
    expect(changedAnswers([start], { start: "2026-12-25 00:00" }).params).toEqual({ start: "2026-12-25 00:00" });
  });

  it("name what is wrong before anything is sent", () => {
    expect(parseAnswer(money, "lots").error).toBe("number");
    expect(parseAnswer(money, "1001").error).toBe("range");
    expect(parseAnswer(quantity, "1.5").error).toBe("integer");
    expect(parseAnswer(sku, "  ").error).toBe("required");
    expect(changedAnswers([money, quantity], { threshold: "", quantity: "2" }).errors).toEqual({
      threshold: "required",
    });
  });

  it("choose the first connection of each need that has one", () => {
    const need = (key: string, ids: number[]): Need => ({
      key,
      connector: "aliyun_sms",
      connector_title: { zh: "阿里云短信", en: "Aliyun SMS" },
      title: { zh: "短信", en: "SMS" },
      present: ids.length > 0,
      options: ids.map((id) => ({ id, name: `#${id}`, sandbox: true })),
      connect_url: "/app/connections/new/aliyun_sms",
      explanation: null,
    });
    expect(initialConnections([need("sms", [4, 7]), need("robot", [])])).toEqual({ sms: 4 });
  });
});
