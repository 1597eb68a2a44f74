/**
 * The stock page's logic: which rows are low, what an adjustment would leave and whether it may be
 * sent, and the stock import's answers in the user's words (row-numbered errors, progress).
 */
import type { components } from "../api/schema";
import type { MessageKey } from "../i18n/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;
export type StockRow = components["schemas"]["StockItem"];
export type StockImportStatus = components["schemas"]["StockImportStatus"];
export type StockImportResult = components["schemas"]["StockImportResult"];

/** Low stock: what is free to sell is at or below the row's safety stock (commerce StockItem.low_stock). */
export function isLow(row: Pick<StockRow, "available" | "safety_stock">): boolean {
  return row.available <= (row.safety_stock ?? 0);
}

export type AdjustKind = "adjustment" | "receipt";

export interface AdjustCheck {
  /** The problems, by field (`delta`, `reason`); empty when it may be sent. */
  problems: Record<string, string>;
  /** What the row would hold afterwards, when the change is a number. */
  after: { on_hand: number; available: number } | null;
}

/** Checks an adjustment the way the server does (commerce.inventory.services.stock_adjust), before sending. */
export function checkAdjust(
  row: Pick<StockRow, "on_hand" | "reserved">,
  kind: AdjustKind,
  deltaText: string,
  reason: string,
  t: T,
): AdjustCheck {
  const problems: Record<string, string> = {};
  const text = deltaText.trim();
  let after: AdjustCheck["after"] = null;
  if (!/^[+-]?\d{1,7}$/.test(text) || Number(text) === 0) {
    problems.delta = t("stockPage.badDelta");
  } else {
    const delta = Number(text);
    const onHand = (row.on_hand ?? 0) + delta;
    after = { on_hand: onHand, available: onHand - (row.reserved ?? 0) };
    if (kind === "receipt" && delta < 0) problems.delta = t("stockPage.receiptPositive");
    else if (onHand < (row.reserved ?? 0) || onHand < 0)
      problems.delta = t("stockPage.belowReserved", { reserved: row.reserved ?? 0 });
  }
  if (!reason.trim()) problems.reason = t("stockPage.reasonRequired");
  return { problems, after };
}

/** One refused row of a stock file (or the file's or header's problem). */
export interface StockRowError {
  row: number | null;
  column: string | null;
  scope: string;
  message: string;
}

/** The import's `errors` (or an upload's 400 `details`) as a list: rows in order, then the rest. */
export function stockImportErrors(errors: unknown): StockRowError[] {
  if (!errors || typeof errors !== "object" || Array.isArray(errors)) return [];
  const list: StockRowError[] = [];
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    const message = typeof value === "string" ? value : JSON.stringify(value);
    const found = /^rows\[(\d+)\](?:\.(\w+))?$/.exec(key);
    if (found) list.push({ row: Number(found[1]), column: found[2] ?? null, scope: "", message });
    else if (key !== "max_rows") list.push({ row: null, column: null, scope: key, message });
  }
  return list.sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER));
}

// The server's row messages (commerce/inventory/imports/parse.py and apply.py).
const REASONS: [RegExp, MessageKey][] = [
  [/^required$/, "stockPage.reason.required"],
  [/^not a whole number: '?(?<value>.*?)'?$/, "stockPage.reason.wholeNumber"],
  [/^must not be negative, got (?<value>-?\d+)$/, "stockPage.reason.negative"],
  [/^larger than (?<n>\d+)$/, "stockPage.reason.tooLarge"],
  [/^unknown SKU '?(?<value>.*?)'?$/, "stockPage.reason.unknownSku"],
  [/^unknown or inactive warehouse '?(?<value>.*?)'?$/, "stockPage.reason.unknownWarehouse"],
  [/^(?<value>\d+) is below the (?<n>\d+) currently reserved for open orders$/, "stockPage.reason.belowReserved"],
  [/^(?<value>.+) is already on row (?<n>\d+)$/, "stockPage.reason.duplicate"],
  [/^expected (?<n>\d+) columns .*$/, "stockPage.reason.columns"],
  [/^(?<n>\d+) more error\(s\) not listed$/, "stockPage.reason.more"],
];

/** What is wrong with a row in the user's words; the server's own words when they are not known here. */
export function stockReason(t: T, message: string): string {
  for (const [pattern, key] of REASONS) {
    const found = pattern.exec(message);
    if (found) return t(key, { ...(found.groups ?? {}) });
  }
  return message;
}

/** 0 to 100, whole: the import's progress bar. */
export function importPercent(job: Pick<StockImportStatus, "progress" | "status">): number {
  if (job.status === "applied") return 100;
  return Math.max(0, Math.min(100, Math.round((job.progress ?? 0) * 100)));
}

export function importRunning(job: Pick<StockImportStatus, "status">): boolean {
  return job.status === "queued" || job.status === "validating";
}

/** commerce.inventory.safety.MAX_SAFETY_STOCK */
export const MAX_SAFETY_STOCK = 1_000_000_000;

/** Checks a new safety stock before sending: a whole number from 0, and a reason. Null value when not one. */
export function checkSafety(
  row: Pick<StockRow, "available">,
  valueText: string,
  reason: string,
  t: T,
): { problems: Record<string, string>; value: number | null; low: boolean } {
  const problems: Record<string, string> = {};
  const text = valueText.trim();
  const value = /^\d{1,10}$/.test(text) && Number(text) <= MAX_SAFETY_STOCK ? Number(text) : null;
  if (value === null) problems.safety_stock = t("stockPage.badSafety", { max: MAX_SAFETY_STOCK });
  if (!reason.trim()) problems.reason = t("stockPage.reasonRequired");
  return { problems, value, low: value !== null && row.available <= value };
}
