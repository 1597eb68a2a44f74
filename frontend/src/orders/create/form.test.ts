import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { translate } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import {
  addLine,
  emptyForm,
  newExternalId,
  previewTotal,
  serverFieldErrors,
  shortageMessage,
  shortageOf,
  toPayload,
  validate,
  type OrderForm,
} from "./form";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

const TEA = { sku: "TEA-0001", title: "西湖龙井 250g", price: "699.00", available: 2 };
const CUP = { sku: "CUP-0001", title: "青瓷茶杯两只装", price: "159.00", available: 500 };

function filled(): OrderForm {
  let form: OrderForm = {
    ...emptyForm(),
    name: "王芳",
    phone: "13800138000",
    province: "浙江省",
    city: "杭州市",
    district: "西湖区",
    line: "文三路 90 号",
    shipping: "10.00",
    discount: "5.5",
  };
  form = addLine(form, TEA);
  form = addLine(form, CUP);
  return form;
}

describe("the manual order form", () => {
  it("adds a SKU once and counts it up when added again", () => {
    const form = addLine(addLine(emptyForm(), TEA), TEA);
    expect(form.lines).toEqual([
      { sku: "TEA-0001", title: "西湖龙井 250g", available: 2, quantity: "2", unitPrice: "699.00" },
    ]);
  });

  it("checks the fields before sending, keyed as the server keys them", () => {
    const form = {
      ...emptyForm(),
      phone: "abc",
      shipping: "-1",
      lines: [{ ...addLine(emptyForm(), TEA).lines[0], quantity: "0" }],
    };
    expect(validate(form, zh)).toEqual({
      "customer.name": "必填",
      "customer.phone": "请输入有效的手机号",
      "shipping_address.province": "必填",
      "shipping_address.city": "必填",
      "shipping_address.line": "必填",
      shipping_amount: "请输入 0 或以上、最多两位小数的金额",
      "lines[0].quantity": "数量须为 1 到 100000 的整数",
    });
    expect(validate(emptyForm(), en).lines).toBe("Search for a product and add at least one line");
    expect(validate(filled(), zh)).toEqual({});
  });

  it("sends the manual channel, the lines and the amounts", () => {
    const body = toPayload({ ...filled(), paid: true }, "MAN-1");
    expect(body).toEqual({
      channel: "manual",
      external_id: "MAN-1",
      status: "paid",
      customer: { name: "王芳", phone: "13800138000" },
      shipping_address: { province: "浙江省", city: "杭州市", district: "西湖区", line: "文三路 90 号", postcode: "" },
      lines: [
        { sku: "TEA-0001", quantity: 1, unit_price: "699.00" },
        { sku: "CUP-0001", quantity: 1, unit_price: "159.00" },
      ],
      shipping_amount: "10.00",
      discount_amount: "5.5",
    });
    expect(toPayload(filled(), "MAN-1").status).toBe("pending_payment");
  });

  it("previews the total in cents, without float drift", () => {
    const form = filled();
    form.lines[1] = { ...form.lines[1], quantity: "3", unitPrice: "0.10" };
    expect(previewTotal(form)).toBe("703.80");
  });

  it("makes a stable-looking, unique-enough external id", () => {
    expect(newExternalId(new Date("2026-12-06T09:30:05Z"), () => 0.5)).toBe("MAN-20261206093005-I000");
  });
});

describe("the server's refusals", () => {
  it("names the SKU short, with what was asked and what is left", () => {
    const refusal = new ApiError(409, "insufficient_stock", "Not enough stock to reserve this order.", {
      sku: "TEA-0001",
      requested: 3,
      available: 2,
      line: 0,
    });
    const shortage = shortageOf(refusal);
    expect(shortage).toEqual({ sku: "TEA-0001", requested: 3, available: 2, line: 0 });
    expect(shortageMessage(shortage!, filled(), zh)).toBe(
      "库存不足：TEA-0001（西湖龙井 250g）需要 3 件，只有 2 件可用。请减少数量或先补货，订单未创建。",
    );
    expect(shortageMessage(shortage!, filled(), en)).toBe(
      "Not enough stock: TEA-0001 (西湖龙井 250g) needs 3, only 2 available. Lower the quantity or restock first; no order was created.",
    );
  });

  it("is not fooled by other conflicts", () => {
    expect(shortageOf(new ApiError(409, "invalid_transition", "x", {}))).toBeNull();
    expect(shortageOf(new ApiError(400, "insufficient_stock", "x", { sku: "A" }))).toBeNull();
    expect(shortageOf(new Error("x"))).toBeNull();
  });

  it("puts the server's 400 details on their fields", () => {
    expect(
      serverFieldErrors({
        customer: { phone: ["Enter a valid value."] },
        lines: [{}, { quantity: ["Ensure this value is greater than or equal to 1."] }],
        channel: "unknown",
      }),
    ).toEqual({
      "customer.phone": "Enter a valid value.",
      "lines[1].quantity": "Ensure this value is greater than or equal to 1.",
      channel: "unknown",
    });
  });
});
