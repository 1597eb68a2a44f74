import { describe, expect, it } from "vitest";
import { messages } from "../i18n/messages";
import { ordersMessages } from "../orders/messages";
import { stockMessages } from "./messages";

describe("the stock and order detail strings", () => {
  it("are not overridden by a key of the same name elsewhere in the app", () => {
    const merged = messages as Record<string, readonly [string, string]>;
    for (const own of [stockMessages, ordersMessages] as Record<string, readonly [string, string]>[]) {
      for (const [key, pair] of Object.entries(own)) expect(merged[key], key).toBe(pair);
    }
  });
});
