import { describe, expect, it } from "vitest";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { checkAdjust, checkSafety, importPercent, importRunning, isLow, stockImportErrors, stockReason } from "./logic";

const zh = (key: MessageKey, vars?: Record<string, string | number>) => translate("zh", key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate("en", key, vars);

describe("low stock", () => {
  it("is available at or below the safety stock", () => {
    expect(isLow({ available: 5, safety_stock: 5 })).toBe(true);
    expect(isLow({ available: 6, safety_stock: 5 })).toBe(false);
    expect(isLow({ available: 0, safety_stock: 0 })).toBe(true);
    expect(isLow({ available: 1, safety_stock: undefined })).toBe(false);
  });
});

describe("an adjustment, checked before it is sent", () => {
  const row = { on_hand: 10, reserved: 4 };

  it("previews what the row would hold", () => {
    expect(checkAdjust(row, "adjustment", "-3", "盘点", zh)).toEqual({
      problems: {},
      after: { on_hand: 7, available: 3 },
    });
    expect(checkAdjust(row, "receipt", "+20", "到货", zh).after).toEqual({ on_hand: 30, available: 26 });
  });

  it("refuses what the server would refuse, saying why", () => {
    expect(checkAdjust(row, "adjustment", "-7", "报损", zh).problems).toEqual({
      delta: "调整后在库将低于已锁定数量 4，不能保存",
    });
    expect(checkAdjust(row, "receipt", "-1", "x", en).problems.delta).toBe("A receipt must be positive");
    expect(checkAdjust(row, "adjustment", "0", "x", zh).problems.delta).toBe("请输入非 0 的整数");
    expect(checkAdjust(row, "adjustment", "1.5", "x", zh).problems.delta).toBe("请输入非 0 的整数");
    expect(checkAdjust(row, "adjustment", "2", "  ", zh).problems).toEqual({ reason: "请填写原因" });
  });
});

describe("the stock import's answers", () => {
  it("lists row errors by row number, then the file's problems", () => {
    const errors = stockImportErrors({
      "rows[4].on_hand": "not a whole number: 'ten'",
      more_errors: "3 more error(s) not listed",
      "rows[2].sku": "unknown SKU 'NOPE-1'",
      "rows[3]": "expected 4 columns (sku,warehouse,on_hand,safety_stock), got 3",
    });
    expect(errors.map((e) => [e.row, e.column, e.scope])).toEqual([
      [2, "sku", ""],
      [3, null, ""],
      [4, "on_hand", ""],
      [null, null, "more_errors"],
    ]);
    expect(stockImportErrors(null)).toEqual([]);
  });

  it("says each server reason in the user's language, keeping unknown ones as they are", () => {
    expect(stockReason(zh, "unknown SKU 'NOPE-1'")).toBe("未知 SKU NOPE-1");
    expect(stockReason(zh, "not a whole number: 'ten'")).toBe("不是整数：ten");
    expect(stockReason(zh, "3 is below the 5 currently reserved for open orders")).toBe("3 低于已为订单锁定的 5");
    expect(stockReason(en, "TEA-1 in sh-main is already on row 2")).toBe("TEA-1 in sh-main is already on row 2");
    expect(stockReason(zh, "TEA-1 in sh-main is already on row 2")).toBe("TEA-1 in sh-main 已在第 2 行出现");
    expect(stockReason(zh, "something new")).toBe("something new");
  });

  it("shows progress as a whole percentage, full once applied", () => {
    expect(importPercent({ status: "validating", progress: 0.456 })).toBe(46);
    expect(importPercent({ status: "applied", progress: 0.2 })).toBe(100);
    expect(importRunning({ status: "queued" })).toBe(true);
    expect(importRunning({ status: "failed" })).toBe(false);
  });
});

describe("a new safety stock", () => {
  it("is a whole number from 0 with a reason, and says when the row will be low", () => {
    expect(checkSafety({ available: 10 }, "10", "大促备货", zh)).toEqual({ problems: {}, value: 10, low: true });
    expect(checkSafety({ available: 10 }, "0", "x", zh)).toEqual({ problems: {}, value: 0, low: false });
    expect(checkSafety({ available: 10 }, "-1", "", zh)).toEqual({
      problems: { safety_stock: "请输入 0 到 1000000000 的整数", reason: "请填写原因" },
      value: null,
      low: false,
    });
    expect(checkSafety({ available: 10 }, "1000000001", "x", en).problems.safety_stock).toBe(
      "Enter a whole number from 0 to 1000000000",
    );
  });
});
