/** The install wizard's answers: the form's text as the values the API checks, and what is wrong. */
import type { Need, TemplateParameter } from "./api";

/** A UTC moment (`2026-12-23T16:00:00Z`) as Beijing time, the way operators type it (`2026-12-24 00:00`). */
export function beijing(utc: string): string {
  const moment = new Date(utc);
  if (Number.isNaN(moment.getTime())) return utc;
  return new Date(moment.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

/** The value a parameter's input starts with: its default, as text for the text inputs. */
export function initialText(parameter: TemplateParameter): string {
  if (parameter.type === "bool") return parameter.default ? "true" : "false";
  if (parameter.type === "time" && typeof parameter.default === "string") return beijing(parameter.default);
  return parameter.default === null || parameter.default === undefined ? "" : String(parameter.default);
}

/** The typed value of one answer, or an error key; bounds are the server's to check as well. */
export function parseAnswer(
  parameter: TemplateParameter,
  text: string,
): { value: unknown; error: null } | { value: null; error: "required" | "number" | "integer" | "range" } {
  if (parameter.type === "bool") return { value: text === "true", error: null };
  // A time is checked (and turned into UTC, Beijing time when no zone is given) by the server.
  if (parameter.type === "text" || parameter.type === "enum" || parameter.type === "time") {
    if (parameter.required && !text.trim()) return { value: null, error: "required" };
    return { value: text, error: null };
  }
  const trimmed = text.trim();
  if (!trimmed) return { value: null, error: "required" };
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return { value: null, error: "number" };
  const number = Number(trimmed);
  if (parameter.type === "integer" && !Number.isInteger(number)) return { value: null, error: "integer" };
  if (
    (parameter.minimum !== undefined && number < parameter.minimum) ||
    (parameter.maximum !== undefined && number > parameter.maximum)
  )
    return { value: null, error: "range" };
  return { value: number, error: null };
}

/** Only the answers that differ from the defaults are sent: an update keeps exactly what the operator chose. */
export function changedAnswers(
  parameters: TemplateParameter[],
  texts: Record<string, string>,
): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const parameter of parameters) {
    const text = texts[parameter.key] ?? initialText(parameter);
    if (text === initialText(parameter)) continue;
    const parsed = parseAnswer(parameter, text);
    if (parsed.error) errors[parameter.key] = parsed.error;
    else if (parsed.value !== parameter.default) params[parameter.key] = parsed.value;
  }
  return { params, errors };
}

/** Each need's connection chosen at first: the only one, or the first (sandboxes come first). */
export function initialConnections(needs: Need[]): Record<string, number> {
  const chosen: Record<string, number> = {};
  for (const need of needs) if (need.options.length) chosen[need.key] = need.options[0].id;
  return chosen;
}
