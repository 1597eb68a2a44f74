import { describe, expect, it } from "vitest";
import { translate } from "../i18n/i18n";
import { deliveryErrorAdvice } from "./parts";

describe("a delivery's error, with what to do about it", () => {
  it("advises on a forged or misrouted delivery", () => {
    expect(deliveryErrorAdvice("bad_signature: X-Shopify-Hmac-Sha256 does not match the body.")).toEqual([
      "deliveryError.bad_signature",
    ]);
    expect(translate("zh", "deliveryError.bad_signature")).toBe("签名不符：请确认凭据中的应用密钥与平台后台的一致。");
    expect(deliveryErrorAdvice("wrong_shop: The delivery is for another shop.")).toEqual(["deliveryError.wrong_shop"]);
  });

  it("advises once per code on the orders a delivery failed to apply", () => {
    const error = [
      "1001: insufficient_stock: Not enough stock.",
      "1002: insufficient_stock: Not enough stock.",
      "1003: unknown_sku: No product GIFT-X.",
    ].join("\n");
    expect(deliveryErrorAdvice(error)).toEqual(["deliveryError.insufficient_stock", "deliveryError.unknown_sku"]);
  });

  it("gives no advice it does not have", () => {
    expect(deliveryErrorAdvice("something_else: went wrong")).toEqual([]);
    expect(deliveryErrorAdvice("")).toEqual([]);
  });
});
