/**
 * The threshold editor's rules, pure: what the admin types (a ratio as a percentage: "1" for 1 %)
 * → the PATCH body `{"<key>": <number>}` holding only the thresholds that change.
 */
import type { MessageKey } from "../i18n/messages";
import { clean } from "./format";
import type { KpiUnit, Threshold, ThresholdPatch } from "./types";

/** What the input shows for a threshold: a ratio in percent, the rest as they are. */
export function thresholdInput(unit: KpiUnit, threshold: number | null): string {
  if (threshold === null) return "";
  return String(unit === "ratio" ? clean(threshold * 100) : threshold);
}

/** The threshold an input stands for, or the message key saying what is wrong with it. */
export function parseThreshold(unit: KpiUnit, text: string): { value: number } | { error: MessageKey } {
  const trimmed = text.trim();
  if (!trimmed) return { error: "dash.thresholds.required" };
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return { error: "dash.thresholds.notNumber" };
  const number = Number(trimmed);
  if (number < 0) return { error: "dash.thresholds.negative" };
  if (unit === "ratio") {
    if (number > 100) return { error: "dash.thresholds.overHundred" };
    return { value: clean(number / 100) };
  }
  return { value: number };
}

export interface ThresholdEdit {
  patch: ThresholdPatch;
  errors: Record<string, MessageKey>;
}

/**
 * The PATCH body for the edited inputs: every key whose value differs from its current threshold,
 * and nothing else. `errors` names the inputs that cannot be read; the body is not sent while any is.
 */
export function thresholdPatch(
  rows: Threshold[],
  units: Record<string, KpiUnit>,
  inputs: Record<string, string>,
): ThresholdEdit {
  const patch: ThresholdPatch = {};
  const errors: Record<string, MessageKey> = {};
  for (const row of rows) {
    const text = inputs[row.key];
    if (text === undefined) continue;
    const unit = units[row.key] ?? "count";
    if (text.trim() === "" && row.threshold === null) continue;
    const parsed = parseThreshold(unit, text);
    if ("error" in parsed) errors[row.key] = parsed.error;
    else if (parsed.value !== row.threshold) patch[row.key] = parsed.value;
  }
  return { patch, errors };
}
