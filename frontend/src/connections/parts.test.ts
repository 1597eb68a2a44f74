import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { deliveryErrorAdvice, pollNowRefusal, pollRunText } from "./parts";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

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

describe("what poll now did, in words", () => {
  const run = { status: "succeeded" as const, fetched: 3, created: 1, updated: 0, ignored: 2, errors: 0, error: "" };

  it("says the counts of a finished poll", () => {
    expect(pollRunText(run, zh)).toBe("拉取完成：取回 3 个订单，新建 1 个，更新 0 个，忽略 2 个。");
    expect(pollRunText(run, en)).toBe("Poll finished: 3 orders fetched, 1 created, 0 updated, 2 ignored.");
    expect(pollRunText({ ...run, fetched: 0, created: 0, ignored: 0 }, zh)).toBe(
      "拉取完成：平台没有新的或变更的订单。",
    );
  });

  it("says how many orders failed, and why a poll failed", () => {
    expect(pollRunText({ ...run, errors: 2 }, zh)).toBe(
      "拉取完成：取回 3 个订单，新建 1 个，更新 0 个，忽略 2 个。其中 2 个出错，见下表。",
    );
    expect(pollRunText({ ...run, status: "failed", error: "401 Unauthorized" }, zh)).toBe("拉取失败：401 Unauthorized");
  });

  it("says that another poll holds the connection (409 poll_running), and nothing of other errors", () => {
    const busy = new ApiError(409, "poll_running", "A poll of this connection is running; try again shortly.", {});
    expect(pollNowRefusal(busy, zh)).toBe("此连接正在拉取中（或平台要求稍候），请稍后再试。");
    expect(pollNowRefusal(new ApiError(400, "invalid", "", {}), zh)).toBeNull();
    expect(pollNowRefusal(new Error("offline"), zh)).toBeNull();
  });
});
