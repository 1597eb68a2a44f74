import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { AUDIT_FIELDS, evidenceText, percent, refusal, RISK_FIELDS, sampleOf, variablesOf } from "./logic";

describe("risk page logic", () => {
  it("names each piece of evidence in the user's language", () => {
    expect(evidenceText({ "ip.orders_10m": 5, "phone.virtual": true }, "zh")).toEqual([
      "该 IP 近 10 分钟下单数: 5",
      "虚拟号段: 是",
    ]);
    expect(evidenceText({ "phone.virtual": false, "other.path": 1 }, "en")).toEqual([
      "Virtual number range: no",
      "other.path: 1",
    ]);
  });

  it("shows a rate as a percentage", () => {
    expect(percent(0.25)).toBe("25.0%");
    expect(percent(1)).toBe("100.0%");
  });

  it("samples every field with a value of its type", () => {
    const sample = sampleOf(AUDIT_FIELDS);
    expect(sample.order).toEqual({ total_amount: 0, channel: "", status: "", on_hold: false, remark: "" });
    expect(sample.stock).toEqual({ allocated: false });
  });

  it("titles the builder's fields in the user's language", () => {
    const [first] = variablesOf(RISK_FIELDS, "en");
    expect(first).toEqual({ path: "order.total_amount", type: "number", title: "Order amount" });
  });

  it("says which field the server refused", () => {
    expect(refusal(new ApiError(400, "invalid", "bad", { reason: ["This field is required."] }))).toBe(
      "reason: This field is required.",
    );
    expect(refusal(new ApiError(409, "risk_not_pending", "decided", {}))).toBe("decided");
  });
});
