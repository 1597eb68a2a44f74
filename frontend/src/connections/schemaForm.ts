/**
 * The Add connection form is drawn from a connector's JSON Schema (credentials_schema and
 * settings_schema): one field per property, titled in the user's language (`title` is English,
 * `x-title-zh` Chinese), a password input for a secret (`writeOnly`), and the schema's own rules
 * checked before anything is sent. The types the manifests use are understood: `string`,
 * `integer` and `number` (minimum, maximum; sent as numbers), `boolean` (sent as true/false) and a
 * nullable `[T, "null"]` (left empty: not sent). Only the properties the schema declares are sent.
 * The server checks the same schema and names a failing field `credentials.<name>` or
 * `settings.<name>`, with the rule that failed; those errors come back to that field, in words.
 *
 * Nothing here renders: the form (SchemaFields.tsx) and the tests read these.
 */
import { ApiError } from "../api/client";
import type { Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

/** The JSON Schema types a field can hold (a nullable field also takes null). */
export type FieldType = "string" | "integer" | "number" | "boolean";

export interface FieldSpec {
  name: string;
  title: { en: string; zh: string };
  /** The schema's type, "string" when it names none (or none this form knows). */
  type?: FieldType;
  /** `type: [T, "null"]`: the field may be left empty (nothing is sent). */
  nullable?: boolean;
  secret: boolean;
  required: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** The values the schema allows (`enum`), as the form shows them. */
  options?: string[];
  /** The schema's default as the form holds it: text for a text or number field, true/false for a boolean. */
  default?: FieldValue;
  /** What a valid value looks like (the schema's first example, else its default). */
  example?: string;
  description?: string;
}

/** What an input holds: the text typed (numbers too, until sent) or a checkbox's state. */
export type FieldValue = string | boolean;
export type FieldValues = Record<string, FieldValue>;

/** Why a field's value is refused, in terms the page translates (see fieldErrorText). */
export type FieldError =
  | { kind: "required" }
  | { kind: "pattern"; example?: string }
  | { kind: "minLength"; limit: number }
  | { kind: "maxLength"; limit?: number }
  | { kind: "type"; expected?: FieldType }
  | { kind: "minimum"; limit?: number }
  | { kind: "maximum"; limit?: number }
  | { kind: "enum"; options?: string[] }
  | { kind: "additionalProperties" }
  | { kind: "conflict" }
  | { kind: "server"; message: string };

export type FieldErrors = Record<string, FieldError>;

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

const TYPES: readonly FieldType[] = ["string", "integer", "number", "boolean"];

/** The field's type and whether it takes null, from `type: "integer"` or `type: ["integer", "null"]`. */
function typeOf(spec: Record<string, unknown>): { type: FieldType; nullable: boolean } {
  const listed = (Array.isArray(spec.type) ? spec.type : [spec.type]).filter((t): t is string => typeof t === "string");
  const type = listed.find((t): t is FieldType => (TYPES as readonly string[]).includes(t)) ?? "string";
  return { type, nullable: listed.includes("null") };
}

/** The schema's default as the form holds it (a boolean default false shows unchecked). */
function defaultOf(type: FieldType, value: unknown): FieldValue | undefined {
  if (type === "boolean") return typeof value === "boolean" ? value : undefined;
  return str(value);
}

/** The fields of an object schema, in the schema's order. `secrets` adds names the manifest marks secret. */
export function fieldsOf(schema: Record<string, unknown> | undefined, secrets: readonly string[] = []): FieldSpec[] {
  const properties = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, spec]) => {
    const en = str(spec.title) ?? name;
    const { type, nullable } = typeOf(spec);
    const examples = Array.isArray(spec.examples) ? spec.examples : [];
    const fallbackExample = str(examples[0]) ?? str(spec.default);
    const options = Array.isArray(spec.enum)
      ? spec.enum.map(str).filter((option): option is string => option !== undefined)
      : undefined;
    return {
      name,
      title: { en, zh: str(spec["x-title-zh"]) ?? en },
      type,
      nullable,
      secret: spec.writeOnly === true || secrets.includes(name),
      required: required.has(name),
      pattern: str(spec.pattern),
      minLength: num(spec.minLength),
      maxLength: num(spec.maxLength),
      minimum: num(spec.minimum),
      maximum: num(spec.maximum),
      options: options && options.length > 0 ? options : undefined,
      default: defaultOf(type, spec.default),
      example: type === "boolean" ? undefined : fallbackExample,
      description: str(spec.description),
    };
  });
}

/** True when the schema takes no property it does not declare (`additionalProperties: false`). */
export function closedSchema(schema: Record<string, unknown> | undefined): boolean {
  return schema?.additionalProperties === false;
}

export function fieldTitle(field: FieldSpec, language: Language): string {
  return language === "zh" ? field.title.zh : field.title.en;
}

/** What an empty field holds: unchecked for a boolean, no text for the rest. */
function emptyValue(field: FieldSpec): FieldValue {
  return field.type === "boolean" ? false : "";
}

/** The values a new form starts with: each field's default (a secret never has one to show). */
export function initialValues(fields: FieldSpec[]): FieldValues {
  return Object.fromEntries(
    fields.map((field) => [field.name, field.secret ? "" : (field.default ?? emptyValue(field))]),
  );
}

/**
 * The values an edit form starts with: what is stored (`current`, e.g. a connection's settings),
 * else the field's default, which is what the server applies to a key it is not given.
 */
export function valuesFrom(fields: FieldSpec[], current: Record<string, unknown>): FieldValues {
  return Object.fromEntries(
    fields.map((field) => {
      const stored = current[field.name];
      if (field.secret) return [field.name, ""];
      if (field.type === "boolean")
        return [field.name, typeof stored === "boolean" ? stored : (field.default ?? false)];
      if (stored === null) return [field.name, ""];
      return [field.name, str(stored) ?? field.default ?? ""];
    }),
  );
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number field's text as the number it says, or undefined when it says none of its type. */
export function parseNumber(field: FieldSpec, text: string): number | undefined {
  const trimmed = text.trim();
  if (!(field.type === "integer" ? INTEGER : NUMBER).test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** Nothing entered: no text (a number field's spaces count as none; a text field's are its value). */
function isEmpty(field: FieldSpec, value: FieldValue | undefined): boolean {
  if (typeof value !== "string") return value === undefined;
  return (field.type === "integer" || field.type === "number" ? value.trim() : value) === "";
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
export function validateField(field: FieldSpec, value: FieldValue, optional = false): FieldError | null {
  if (field.type === "boolean") return null; // a checkbox holds true or false, both valid
  const text = typeof value === "string" ? value : String(value);
  if (isEmpty(field, text)) {
    return field.required && !optional ? { kind: "required" } : null;
  }
  if (field.type === "integer" || field.type === "number") {
    const number = parseNumber(field, text);
    if (number === undefined) return { kind: "type", expected: field.type };
    if (field.minimum !== undefined && number < field.minimum) return { kind: "minimum", limit: field.minimum };
    if (field.maximum !== undefined && number > field.maximum) return { kind: "maximum", limit: field.maximum };
    if (field.options && !field.options.includes(String(number))) return { kind: "enum", options: field.options };
    return null;
  }
  if (field.options && !field.options.includes(text)) return { kind: "enum", options: field.options };
  if (field.minLength !== undefined && text.length < field.minLength)
    return { kind: "minLength", limit: field.minLength };
  if (field.maxLength !== undefined && text.length > field.maxLength)
    return { kind: "maxLength", limit: field.maxLength };
  if (field.pattern !== undefined && !matches(field.pattern, text)) return { kind: "pattern", example: field.example };
  return null;
}

/** True when the user has entered nothing of their own: every field empty or at its default. */
export function untouched(fields: FieldSpec[], values: FieldValues): boolean {
  return fields.every((field) => {
    const value = values[field.name] ?? emptyValue(field);
    if (field.type === "boolean") return value === (field.default ?? false);
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
    const error = validateField(field, values[field.name] ?? emptyValue(field), optional);
    if (error) errors[field.name] = error;
  }
  return errors;
}

/**
 * A form's values as the JSON the schema describes: text for a string, a number for an integer or
 * number, true/false for a boolean. An empty field is left out (the schema's default applies; a
 * nullable field left empty has no value), and so is anything the schema does not declare.
 */
export function payloadOf(fields: FieldSpec[], values: FieldValues): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === "boolean") {
      if (typeof value === "boolean") payload[field.name] = value;
      else if (value === "true" || value === "false") payload[field.name] = value === "true";
      continue;
    }
    if (value === undefined || isEmpty(field, value)) continue;
    const text = String(value);
    if (field.type === "integer" || field.type === "number") {
      // A value that is not a number was refused by validateFields; were it sent, the server says so.
      payload[field.name] = parseNumber(field, text) ?? text;
    } else {
      payload[field.name] = text;
    }
  }
  return payload;
}

/**
 * The credentials object to send: the fields with a value. A sandbox form left untouched sends
 * `{}` so that the server fills in the test credentials (a default would otherwise stop it).
 */
export function credentialsPayload(
  fields: FieldSpec[],
  values: FieldValues,
  sandbox: boolean,
): Record<string, unknown> {
  if (sandbox && untouched(fields, values)) return {};
  return payloadOf(fields, values);
}

/** The settings object to send: the fields with a value, typed as the schema says. */
export function settingsPayload(fields: FieldSpec[], values: FieldValues): Record<string, unknown> {
  return payloadOf(fields, values);
}

/**
 * What the server's message about a field means. The server checks the same JSON Schema and says
 * which rule failed ("required", "does not match the 'pattern' rule of the schema"); the page says
 * it again in the user's language, with the field's own limits. Anything else is shown as it came.
 */
export function serverFieldError(message: string, field: FieldSpec | undefined): FieldError {
  const rule = /^does not match the '(\w+)' rule/.exec(message)?.[1] ?? /'(\w+)'/.exec(message)?.[1];
  switch (message === "required" ? "required" : rule) {
    case "required":
      return { kind: "required" };
    case "pattern":
      return { kind: "pattern", example: field?.example };
    case "minLength":
      return field?.minLength && field.minLength > 1
        ? { kind: "minLength", limit: field.minLength }
        : { kind: "required" };
    case "maxLength":
      return { kind: "maxLength", limit: field?.maxLength };
    case "type":
      return { kind: "type", expected: field?.type };
    case "minimum":
      return { kind: "minimum", limit: field?.minimum };
    case "maximum":
      return { kind: "maximum", limit: field?.maximum };
    case "enum":
      return { kind: "enum", options: field?.options };
    case "additionalProperties":
      return { kind: "additionalProperties" };
    default:
      return { kind: "server", message };
  }
}

/** The errors an answer carries, per form: `credentials.shop_domain` lands on the credentials field `shop_domain`. */
export interface ServerErrors {
  name?: FieldError;
  credentials: FieldErrors;
  settings: FieldErrors;
  /** What concerns a group as a whole (`settings`: "does not match the 'additionalProperties' rule"). */
  groups: { credentials?: FieldError; settings?: FieldError };
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
  const found: ServerErrors = { credentials: {}, settings: {}, groups: {}, other: [] };
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
    } else if ((group === "credentials" || group === "settings") && typeof value === "string") {
      // The schema's own rule on the whole object (a DRF list about its shape stays as it came).
      found.groups[group] = serverFieldError(message, undefined);
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

/** True when an answer's errors concern the form's fields or groups (said there, not above the form). */
export function onForm(found: ServerErrors): boolean {
  return Boolean(
    found.name ||
    hasErrors(found.credentials) ||
    hasErrors(found.settings) ||
    found.groups.credentials ||
    found.groups.settings,
  );
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
      return error.limit !== undefined ? t("field.maxLength", { n: error.limit }) : t("field.tooLong");
    case "type":
      switch (error.expected) {
        case "integer":
          return t("field.typeInteger");
        case "number":
          return t("field.typeNumber");
        case "boolean":
          return t("field.typeBoolean");
        case "string":
          return t("field.typeString");
        default:
          return t("field.type");
      }
    case "minimum":
      return error.limit !== undefined ? t("field.minimum", { n: error.limit }) : t("field.tooSmall");
    case "maximum":
      return error.limit !== undefined ? t("field.maximum", { n: error.limit }) : t("field.tooLarge");
    case "enum":
      return error.options?.length ? t("field.enum", { options: error.options.join(", ") }) : t("field.enumAny");
    case "additionalProperties":
      return t("field.additionalProperties");
    case "conflict":
      return t("field.conflict");
    case "server":
      return error.message;
  }
}

/** What a number field takes, said under it ("30 to 86400"; "leave empty for none"). */
export function fieldRangeHint(field: FieldSpec, t: Translate): string | undefined {
  if (field.type !== "integer" && field.type !== "number") return undefined;
  const { minimum: min, maximum: max } = field;
  const range =
    min !== undefined && max !== undefined
      ? t("field.range", { min, max })
      : min !== undefined
        ? t("field.atLeast", { n: min })
        : max !== undefined
          ? t("field.atMost", { n: max })
          : undefined;
  const empty = field.nullable ? t("field.emptyIsNone") : undefined;
  return [range, empty].filter(Boolean).join(t("field.hintJoin")) || undefined;
}
