import { describe, expect, it } from "vitest";
import { bulkErrorKey, bulkRequest, bulkSummary, EMPTY_BULK_FORM } from "./bulk";

describe("a bulk request", () => {
  it("carries what the action needs and nothing it does not", () => {
    expect(bulkRequest([1, 2, 2], { ...EMPTY_BULK_FORM, action: "tag", tag: " vip " })).toEqual({
      body: { ids: [1, 2], action: "tag", tag: "vip", reason: "", note: "" },
    });
    expect(
      bulkRequest([1], { ...EMPTY_BULK_FORM, action: "transition", to: "shipped", reason: "仓库已发", tag: "x" }),
    ).toEqual({
      body: { ids: [1], action: "transition", to: "shipped", reason: "仓库已发", note: "" },
    });
    expect(bulkRequest([1], { ...EMPTY_BULK_FORM, action: "release", note: "已核对", reason: "x" })).toEqual({
      body: { ids: [1], action: "release", reason: "", note: "已核对" },
    });
  });

  it("says what is missing before anything is sent", () => {
    expect(bulkRequest([], EMPTY_BULK_FORM)).toEqual({ error: "orders.board.bulk.noneSelected" });
    expect(bulkRequest([1], { ...EMPTY_BULK_FORM, action: "untag" })).toEqual({ error: "orders.board.bulk.needTag" });
    expect(bulkRequest([1], { ...EMPTY_BULK_FORM, action: "hold", reason: "  " })).toEqual({
      error: "orders.board.bulk.needReason",
    });
    expect(bulkRequest([1], { ...EMPTY_BULK_FORM, action: "transition" })).toEqual({
      error: "orders.board.bulk.needStatus",
    });
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    expect(bulkRequest(many, { ...EMPTY_BULK_FORM, tag: "vip" })).toEqual({ error: "orders.board.bulk.tooMany" });
  });
});

describe("the answer", () => {
  it("counts outcomes and names each failed order by its number", () => {
    const summary = bulkSummary(
      {
        ok: 2,
        failed: 2,
        results: [
          { id: 1, ok: true, outcome: "applied" },
          { id: 2, ok: true, outcome: "ignored" },
          { id: 3, ok: false, code: "invalid_transition", message: "The order cannot move…", details: {} },
          { id: 4, ok: false, code: "not_found", message: "No such order.", details: {} },
        ],
      },
      new Map([
        [1, "OF1"],
        [3, "OF3"],
      ]),
    );

    expect(summary).toEqual({
      applied: 1,
      unchanged: 1,
      failed: 2,
      failures: [
        { id: 3, number: "OF3", code: "invalid_transition", message: "The order cannot move…" },
        { id: 4, number: "#4", code: "not_found", message: "No such order." },
      ],
    });
  });

  it("has the app's own words for the errors it knows", () => {
    expect(bulkErrorKey("invalid_transition")).toBe("orders.board.bulkError.invalid_transition");
    expect(bulkErrorKey("not_found")).toBe("orders.board.bulkError.not_found");
    expect(bulkErrorKey("conflict")).toBeNull();
  });
});
