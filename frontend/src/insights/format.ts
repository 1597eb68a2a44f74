/**
 * How the dashboard writes its figures: each KPI by its unit (a ratio as a percentage, minutes,
 * counts, money in ¥), thresholds, the change against the previous period, dates of the range
 * (days in Asia/Shanghai, as the API counts them) and instants in the user's zone. Pure functions,
 * so that every rule here is tested without a browser.
 */
import type { Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import type { Comparison, Kpi, KpiUnit } from "./types";

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** What every formatter needs: the language and its messages. */
export interface Fmt {
  language: Language;
  t: Translate;
  /** The zh or en half of a name the API sends. */
  pick: (names: { zh?: string; en?: string } | undefined, fallback?: string) => string;
}

/** The days of the range are Asia/Shanghai days (the contract); the page says so. */
export const RANGE_TIMEZONE = "Asia/Shanghai";

const locale = (language: Language) => (language === "zh" ? "zh-CN" : "en-GB");

/** Drops the float noise of a multiplication (0.07 * 100 = 7.000000000000001). */
export function clean(value: number): number {
  return Number(value.toPrecision(12));
}

export function formatNumber(value: number, language: Language, maxDigits = 2): string {
  return new Intl.NumberFormat(locale(language), { maximumFractionDigits: maxDigits }).format(value);
}

/** Money with two decimals; CNY as ¥ in both languages, another currency by its own sign. */
export function formatMoney(amount: number | string, currency: string, language: Language): string {
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  if (currency === "CNY") {
    const digits = new Intl.NumberFormat(locale(language), {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(Math.abs(value));
    return `${value < 0 ? "-" : ""}¥${digits}`;
  }
  return new Intl.NumberFormat(locale(language), { style: "currency", currency }).format(value);
}

/** A KPI's value by its unit: 0.004 ratio → "0.4%", 35.5 minutes → "35.5 分钟", 1234 count → "1,234". */
export function formatValue(unit: KpiUnit, value: number, fmt: Fmt, currency = "CNY"): string {
  switch (unit) {
    case "ratio":
      return `${formatNumber(clean(value * 100), fmt.language)}%`;
    case "minutes":
      return fmt.t("dash.unit.minutes", { n: formatNumber(value, fmt.language, 1) });
    case "money":
      return formatMoney(value, currency, fmt.language);
    default:
      return formatNumber(value, fmt.language);
  }
}

/** The KPI's value, or "尚未统计 / Not measured yet" — never 0 — when it is not measured. */
export function kpiValueText(kpi: Kpi, fmt: Fmt, currency = "CNY"): string {
  if (!kpi.measured || kpi.value === null) return fmt.t("dash.kpi.notMeasured");
  return formatValue(kpi.unit, kpi.value, fmt, currency);
}

const SIGNS: Record<Comparison, string> = { lt: "<", lte: "≤", gt: ">", gte: "≥" };

/** "< 1%", "≥ 98%"; "无阈值 / No threshold" when the KPI has none. */
export function thresholdText(kpi: Pick<Kpi, "unit" | "threshold" | "comparison">, fmt: Fmt, currency = "CNY"): string {
  if (kpi.threshold === null || kpi.comparison === null) return fmt.t("dash.kpi.noThreshold");
  return `${SIGNS[kpi.comparison]} ${formatValue(kpi.unit, kpi.threshold, fmt, currency)}`;
}

/** How a card is coloured: measured and within its threshold, outside it, measured without one, or not measured. */
export type KpiState = "ok" | "bad" | "neutral" | "unmeasured";

export function kpiState(kpi: Pick<Kpi, "measured" | "value" | "ok">): KpiState {
  if (!kpi.measured || kpi.value === null) return "unmeasured";
  if (kpi.ok === true) return "ok";
  if (kpi.ok === false) return "bad";
  return "neutral";
}

export const STATE_KEYS: Record<KpiState, MessageKey> = {
  ok: "dash.kpi.ok",
  bad: "dash.kpi.bad",
  neutral: "dash.kpi.neutral",
  unmeasured: "dash.kpi.notMeasured",
};

export interface Change {
  /** value - previous, in the KPI's unit. */
  delta: number;
  direction: "up" | "down" | "flat";
  /** Whether the move is towards health (a falling delay rate is better); null without a threshold or when flat. */
  better: boolean | null;
}

/** The change against `previous`; null unless both periods were measured. */
export function kpiChange(kpi: Pick<Kpi, "measured" | "value" | "previous" | "comparison">): Change | null {
  if (!kpi.measured || kpi.value === null || kpi.previous === null) return null;
  const delta = clean(kpi.value - kpi.previous);
  const direction = delta > 0 ? "up" : delta < 0 ? "down" : "flat";
  let better: boolean | null = null;
  if (direction !== "flat" && kpi.comparison !== null) {
    const lowerIsBetter = kpi.comparison === "lt" || kpi.comparison === "lte";
    better = lowerIsBetter === (direction === "down");
  }
  return { delta, direction, better };
}

/** "+0.2 个百分点" for a ratio, "-3 分钟", "+12", "+¥12.00"; "与上期持平 / Same as before" when flat. */
export function changeText(unit: KpiUnit, change: Change, fmt: Fmt, currency = "CNY"): string {
  if (change.direction === "flat") return fmt.t("dash.change.flat");
  const sign = change.delta > 0 ? "+" : "-";
  const size = Math.abs(change.delta);
  if (unit === "ratio")
    return fmt.t("dash.change.points", { n: `${sign}${formatNumber(clean(size * 100), fmt.language)}` });
  if (unit === "money") return `${sign}${formatMoney(size, currency, fmt.language)}`;
  return `${sign}${formatValue(unit, size, fmt, currency)}`;
}

/** The sentence under a card's value: the change, or why there is none. */
export function kpiChangeText(kpi: Kpi, fmt: Fmt, currency = "CNY"): string {
  if (!kpi.measured || kpi.value === null) return "";
  const change = kpiChange(kpi);
  if (!change) return fmt.t("dash.change.noPrevious");
  if (change.direction === "flat") return fmt.t("dash.change.flat");
  return fmt.t("dash.change.vsPrevious", { change: changeText(kpi.unit, change, fmt, currency) });
}

// --- dates of the range ---------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in Asia/Shanghai (YYYY-MM-DD), whatever the browser's zone. */
export function shanghaiToday(now: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: RANGE_TIMEZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** A YYYY-MM-DD date moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export type RangePreset = "today" | "7d" | "30d" | "custom";

/** The dates a preset stands for, ending today (inclusive, as the API counts them). */
export function presetRange(preset: Exclude<RangePreset, "custom">, now: Date): { from: string; to: string } {
  const today = shanghaiToday(now);
  const days = preset === "today" ? 1 : preset === "7d" ? 7 : 30;
  return { from: addDays(today, 1 - days), to: today };
}

export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  return addDays(value, 0) === value;
}

/** The longest custom range the page asks for: a year of days. */
export const MAX_RANGE_DAYS = 366;

/** Why a custom range cannot be asked for (a message key on the field), or null when it can. */
export function rangeProblem(from: string, to: string): { field: "from" | "to"; key: MessageKey } | null {
  if (!isDate(from)) return { field: "from", key: "dash.range.badDate" };
  if (!isDate(to)) return { field: "to", key: "dash.range.badDate" };
  if (from > to) return { field: "to", key: "dash.range.toBeforeFrom" };
  if (addDays(from, MAX_RANGE_DAYS - 1) < to) return { field: "to", key: "dash.range.tooLong" };
  return null;
}

// --- instants -------------------------------------------------------------------------------

/** An instant (UTC from the API) in the user's zone — the browser's unless `timeZone` is given. */
export function formatInstant(value: string | null, language: Language, timeZone?: string): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(locale(language), {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** The clock time of a moment, for "last updated 13:22:07". */
export function formatClock(date: Date, language: Language, timeZone?: string): string {
  return date.toLocaleTimeString(locale(language), {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
}
