/**
 * The Add connection form is drawn from a connector's JSON Schema (credentials_schema and
 * settings_schema): one field per property, titled in the user's language (`title` is English,
 * `x-title-zh` Chinese), a password input for a secret (`writeOnly`), and the schema's own rules
 * (required, pattern, minLength, maxLength) checked before anything is sent. The server checks the
 * same schema and names a failing field `credentials.<name>`; those errors come back to that field.
 *
 * Nothing here renders: the form (SchemaFields.tsx) and the tests read these.
 */
import { ApiError } from "../api/client";
import type { Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

export interface FieldSpec {
  name: string;
  title: { en: string; zh: string };
  secret: boolean;
  required: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  default?: string;
  /** What a valid value looks like (the schema's first example, else its default). */
  example?: string;
  description?: string;
}

export type FieldValues = Record<string, string>;

/** Why a field's value is refused, in terms the page translates (see fieldErrorText). */
export type FieldError =
  | { kind: "required" }
  | { kind: "pattern"; example?: string }
  | { kind: "minLength"; limit: number }
  | { kind: "maxLength"; limit: number }
  | { kind: "conflict" }
  | { kind: "server"; message: string };

export type FieldErrors = Record<string, FieldError>;

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The fields of an object schema, in the schema's order. `secrets` adds names the manifest marks secret. */
export function fieldsOf(schema: Record<string, unknown> | undefined, secrets: readonly string[] = []): FieldSpec[] {
  const properties = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, spec]) => {
    const en = str(spec.title) ?? name;
    const examples = Array.isArray(spec.examples) ? spec.examples : [];
    const fallbackExample = str(examples[0]) ?? str(spec.default);
    return {
      name,
      title: { en, zh: str(spec["x-title-zh"]) ?? en },
      secret: spec.writeOnly === true || secrets.includes(name),
      required: required.has(name),
      pattern: str(spec.pattern),
      minLength: num(spec.minLength),
      maxLength: num(spec.maxLength),
      default: str(spec.default),
      example: fallbackExample,
      description: str(spec.description),
    };
  });
}

export function fieldTitle(field: FieldSpec, language: Language): string {
  return language === "zh" ? field.title.zh : field.title.en;
}

/** The values a new form starts with: each field's default (a secret never has one to show). */
export function initialValues(fields: FieldSpec[]): FieldValues {
  return Object.fromEntries(fields.map((field) => [field.name, field.secret ? "" : (field.default ?? "")]));
}

function matches(pattern: string, value: string): boolean {
  // JSON Schema patterns are ECMA-262 regular expressions, unanchored unless they say so.
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags).test(value);
    } catch {
      /* not a valid expression with these flags: try without them */
    }
  }
  return true; // a pattern this browser cannot read is left to the server
}

/**
 * Checks one value against its field's rules. `optional`: the field may be left empty even if the
 * schema requires it (a sandbox connection, whose test credentials the server fills in; a secret
 * that is already set and is kept when left empty).
 */
export function validateField(field: FieldSpec, value: string, optional = false): FieldError | null {
  if (value === "") {
    return field.required && !optional ? { kind: "required" } : null;
  }
  if (field.minLength !== undefined && value.length < field.minLength)
    return { kind: "minLength", limit: field.minLength };
  if (field.maxLength !== undefined && value.length > field.maxLength)
    return { kind: "maxLength", limit: field.maxLength };
  if (field.pattern !== undefined && !matches(field.pattern, value)) return { kind: "pattern", example: field.example };
  return null;
}

/** True when the user has entered nothing of their own: every field empty or at its default. */
export function untouched(fields: FieldSpec[], values: FieldValues): boolean {
  return fields.every((field) => {
    const value = values[field.name] ?? "";
    return value === "" || value === (field.default ?? "");
  });
}

/**
 * Checks a whole form's fields. With `sandbox`, credentials are optional as a whole: left untouched, the
 * server fills in the sandbox's test credentials; once the user types any, they are checked in full.
 */
export function validateFields(fields: FieldSpec[], values: FieldValues, sandbox = false): FieldErrors {
  const optional = sandbox && untouched(fields, values);
  const errors: FieldErrors = {};
  for (const field of fields) {
    const error = validateField(field, values[field.name] ?? "", optional);
    if (error) errors[field.name] = error;
  }
  return errors;
}

/**
 * The credentials object to send: the fields with a value. A sandbox form left untouched sends
 * `{}` so that the server fills in the test credentials (a default would otherwise stop it).
 */
export function credentialsPayload(fields: FieldSpec[], values: FieldValues, sandbox: boolean): Record<string, string> {
  if (sandbox && untouched(fields, values)) return {};
  const payload: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name] ?? "";
    if (value !== "") payload[field.name] = value;
  }
  return payload;
}

/** The settings object to send: only the fields with a value (the schema's defaults apply to the rest). */
export function settingsPayload(fields: FieldSpec[], values: FieldValues): Record<string, string> {
  const payload: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name] ?? "";
    if (value !== "") payload[field.name] = value;
  }
  return payload;
}

/**
 * What the server's message about a field means. The server checks the same JSON Schema and says
 * which rule failed ("required", "does not match the 'pattern' rule of the schema"); the page says
 * it again in the user's language, with the field's own limits. Anything else is shown as it came.
 */
export function serverFieldError(message: string, field: FieldSpec | undefined): FieldError {
  const rule = /'(\w+)'/.exec(message)?.[1];
  if (message === "required" || rule === "required") return { kind: "required" };
  if (rule === "pattern") return { kind: "pattern", example: field?.example };
  if (rule === "minLength")
    return field?.minLength && field.minLength > 1
      ? { kind: "minLength", limit: field.minLength }
      : { kind: "required" };
  if (rule === "maxLength" && field?.maxLength !== undefined) return { kind: "maxLength", limit: field.maxLength };
  return { kind: "server", message };
}

/** The errors an answer carries, per form: `credentials.shop_domain` lands on the credentials field `shop_domain`. */
export interface ServerErrors {
  name?: FieldError;
  credentials: FieldErrors;
  settings: FieldErrors;
  /** What concerns no field of the form (shown above it). */
  other: string[];
}

function detailText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(detailText).join(" ");
  return JSON.stringify(value);
}

export function serverErrors(
  error: unknown,
  credentialFields: FieldSpec[] = [],
  settingFields: FieldSpec[] = [],
): ServerErrors {
  const found: ServerErrors = { credentials: {}, settings: {}, other: [] };
  if (!(error instanceof ApiError)) return found;
  const details = error.details && typeof error.details === "object" ? (error.details as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(details)) {
    const message = detailText(value);
    const [group, ...rest] = key.split(".");
    const name = rest.join(".");
    if (group === "credentials" && name) {
      found.credentials[name] = serverFieldError(
        message,
        credentialFields.find((f) => f.name === name),
      );
    } else if (group === "settings" && name) {
      found.settings[name] = serverFieldError(
        message,
        settingFields.find((f) => f.name === name),
      );
    } else if (key === "name") {
      found.name = error.code === "conflict" ? { kind: "conflict" } : serverFieldError(message, undefined);
    } else {
      found.other.push(message);
    }
  }
  return found;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A field's error in the user's language, saying what to do. */
export function fieldErrorText(error: FieldError, t: Translate): string {
  switch (error.kind) {
    case "required":
      return t("field.required");
    case "pattern":
      return error.example ? t("field.patternExample", { example: error.example }) : t("field.pattern");
    case "minLength":
      return t("field.minLength", { n: error.limit });
    case "maxLength":
      return t("field.maxLength", { n: error.limit });
    case "conflict":
      return t("field.conflict");
    case "server":
      return error.message;
  }
}
