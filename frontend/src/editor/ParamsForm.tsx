import Form from "@rjsf/core";
import type { RJSFSchema, RJSFValidationError, UiSchema, WidgetProps } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMemo, useRef, useState } from "react";
import type { JsonObject, JsonSchema } from "../api/types";
import { useI18n, type Language } from "../i18n/i18n";
import { optionsOf, pickerOf, type PickerKind } from "./fields/fields";
import { Picker } from "./fields/Picker";
import { chip, fromDisplay, segments, toDisplay, uniqueLabels } from "./fields/template";
import { Icon } from "./icons";
import { ENUM_LABELS, PARAM_LABELS } from "./labels";
import { VariablePicker } from "./VariablePicker";
import type { Variable } from "./variables";

interface FormContext {
  variables: Variable[];
  /** Each variable's chip label, unique (fields/template.ts). */
  labels: Map<string, string>;
}

/**
 * The action's schema as RJSF reads it: its `$schema`/`$id` dropped (ajv would look them up), and the
 * properties' developer descriptions (English) dropped outside English — `x-help` gives the help text.
 */
function formSchema(schema: JsonSchema, language: Language): RJSFSchema {
  const copy = { ...schema };
  delete copy.$schema;
  delete copy.$id;
  if (language !== "en" && copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties as Record<string, JsonSchema>).map(([key, property]) => {
        const { description: _dropped, ...rest } = property;
        return [key, rest];
      }),
    );
  }
  return copy as RJSFSchema;
}

/** Labels in the UI language for each property (schema titles win), and names for enum values. */
export function uiSchemaFor(schema: JsonSchema, language: Language): UiSchema {
  const ui: UiSchema = { "ui:submitButtonOptions": { norender: true } };
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const i = language === "zh" ? 0 : 1;
  for (const [key, property] of Object.entries(properties)) {
    const entry: UiSchema = {};
    const declared = property["x-title"] as { zh?: string; en?: string } | undefined;
    const localized =
      declared?.[language] ??
      (property[language === "zh" ? "title_zh" : "title_en"] as string | undefined) ??
      (property.title as string | undefined);
    entry["ui:title"] = localized ?? PARAM_LABELS[key]?.[i] ?? key;
    const enumLabels = (property["x-enum-labels"] ?? {}) as Record<string, { zh?: string; en?: string }>;
    if (Array.isArray(property.enum))
      entry["ui:enumNames"] = property.enum.map(
        (v) => enumLabels[String(v)]?.[language] ?? ENUM_LABELS[String(v)]?.[i] ?? String(v),
      );
    // Developer notes in English are not shown to operators; a localized help text is.
    const help = property["x-help"] as { zh?: string; en?: string } | undefined;
    if (help?.[language]) entry["ui:description"] = help[language];
    else if (language === "en" && property.description) entry["ui:description"] = String(property.description);
    const picker =
      typeof property["x-picker"] === "string"
        ? property["x-picker"]
        : !Array.isArray(property.enum) && property.type === "string"
          ? pickerOf(property, key)
          : null;
    if (picker) entry["ui:widget"] = "picker";
    // `x-picker-filter` narrows the picker (a notify action's connections: {connector: "<key>"}).
    const filter = property["x-picker-filter"];
    if (picker) entry["ui:options"] = { picker, ...(filter && typeof filter === "object" ? { filter } : {}) };
    if (!picker && property.type === "string" && (key === "text" || key === "body"))
      entry["ui:options"] = { multiline: true };
    // Secrets (`"format": "password"`, `"writeOnly": true`): a masked input, no variable picker, never autofilled.
    if (property.format === "password" || property.writeOnly === true) {
      entry["ui:widget"] = "password";
      entry["ui:options"] = { autocomplete: "new-password" };
    }
    ui[key] = entry;
  }
  return ui;
}

/**
 * A text input where variables are labelled chips: the operator sees and types 「订单号」, the param
 * stores `{{ order.number }}`. The button inserts a variable at the caret; the stored template is shown
 * under "advanced".
 */
function TemplateTextWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, disabled, readonly, required, options, registry, placeholder } = props;
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const context = registry.formContext as FormContext | undefined;
  const variables = context?.variables ?? [];
  const labels = context?.labels ?? new Map<string, string>();
  const stored = value === undefined || value === null ? "" : String(value);
  const [display, setDisplay] = useState(() => toDisplay(stored, labels));
  // An edit from elsewhere (undo, another panel): show it.
  const shown = fromDisplay(display, labels) === stored ? display : toDisplay(stored, labels);
  const write = (next: string) => {
    setDisplay(next);
    const template = fromDisplay(next, labels);
    onChange(template === "" ? options.emptyValue : template);
  };
  const insert = (path: string) => {
    const at = caret.current ?? shown.length;
    write(`${shown.slice(0, at)}${chip(path, labels)}${shown.slice(at)}`);
    setOpen(false);
    window.setTimeout(() => ref.current?.focus(), 0);
  };
  const common = {
    id,
    ref,
    value: shown,
    required,
    placeholder,
    disabled: disabled || readonly,
    onChange: (e: { target: { value: string } }) => write(e.target.value),
    onBlur: () => {
      caret.current = ref.current?.selectionStart ?? null;
      onBlur(id, stored);
    },
    onFocus: () => onFocus(id, stored),
    onSelect: () => {
      caret.current = ref.current?.selectionStart ?? null;
    },
  };
  const parts = segments(stored, labels);
  return (
    <div className="template-field">
      <div className="template-input">
        {options.multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
        {!(disabled || readonly) && (
          <button
            type="button"
            className="icon var-button"
            onClick={() => setOpen(!open)}
            title={t("editor.variables")}
            aria-label={t("editor.variables")}
            aria-expanded={open}
          >
            <Icon name="variable" />
          </button>
        )}
        {open && <VariablePicker variables={variables} onPick={insert} onClose={() => setOpen(false)} />}
      </div>
      {parts.some((p) => p.kind === "var") && (
        <div className="chip-line" data-testid={`chips-${id}`}>
          {parts.map((p, i) =>
            p.kind === "var" ? (
              <span key={i} className="var-chip" title={p.path}>
                {p.label}
              </span>
            ) : (
              <span key={i}>{p.text}</span>
            ),
          )}
        </div>
      )}
      {stored.includes("{{") && (
        <details className="advanced small">
          <summary>{t("editor.advanced")}</summary>
          <code className="mono">{stored}</code>
        </details>
      )}
    </div>
  );
}

/** A param that names something that exists: a searchable picker over `/api/v1/pickers/<kind>/`. */
function PickerWidget(props: WidgetProps) {
  const { id, value, onChange, disabled, readonly, options, label, schema } = props;
  const kind = (options.picker as PickerKind | undefined) ?? null;
  const fallback = optionsOf(schema as JsonSchema);
  return (
    <Picker
      id={id}
      kind={kind}
      fallback={fallback}
      value={value === undefined || value === null ? "" : String(value)}
      allowNew={kind === "tag"}
      disabled={disabled || readonly}
      label={label}
      extra={options.filter as Record<string, string> | undefined}
      onChange={(next) => onChange(next === "" ? options.emptyValue : next)}
      testId={`picker-${id}`}
    />
  );
}

/** RJSF's own messages (ajv, English, with patterns) in the user's language, saying what to do. */
export function formErrorsIn(language: Language) {
  const zh = language === "zh";
  return (errors: RJSFValidationError[]): RJSFValidationError[] =>
    errors.map((error) => {
      const limit = (error.params as { limit?: number } | undefined)?.limit;
      let message: string;
      switch (error.name) {
        case "required":
          message = zh ? "请填写这一项" : "Fill this in";
          break;
        case "minLength":
          message =
            limit === 1
              ? zh
                ? "请填写这一项"
                : "Fill this in"
              : zh
                ? `至少 ${limit} 个字`
                : `At least ${limit} characters`;
          break;
        case "maxLength":
          message = zh ? `最多 ${limit} 个字` : `At most ${limit} characters`;
          break;
        case "pattern":
        case "format":
          message = zh
            ? "格式不对，请从列表中选择或按提示填写"
            : "Not in the expected form: pick from the list or follow the hint";
          break;
        case "enum":
          message = zh ? "请从列表中选择" : "Pick one from the list";
          break;
        case "minimum":
          message = zh ? `不能小于 ${limit}` : `At least ${limit}`;
          break;
        case "maximum":
          message = zh ? `不能大于 ${limit}` : `At most ${limit}`;
          break;
        case "type":
          message = zh ? "请填写正确的值" : "Enter a valid value";
          break;
        default:
          message = zh ? "这一项的值不对" : "This value is not valid";
      }
      return { ...error, message, stack: message };
    });
}

export function ParamsForm({
  schema,
  params,
  variables,
  readOnly,
  onChange,
}: {
  schema: JsonSchema;
  params: JsonObject;
  variables: Variable[];
  readOnly: boolean;
  onChange: (params: JsonObject) => void;
}) {
  const { language, pick } = useI18n();
  const rjsfSchema = useMemo(() => formSchema(schema, language), [schema, language]);
  const uiSchema = useMemo(() => uiSchemaFor(schema, language), [schema, language]);
  const transformErrors = useMemo(() => formErrorsIn(language), [language]);
  const formContext = useMemo<FormContext>(
    () => ({
      variables,
      labels: uniqueLabels(variables.map((v) => ({ path: v.path, label: pick(v.label, v.path) }))),
    }),
    [variables, pick],
  );
  return (
    <Form
      schema={rjsfSchema}
      uiSchema={uiSchema}
      formData={params}
      validator={validator}
      widgets={{ TextWidget: TemplateTextWidget, TextareaWidget: TemplateTextWidget, picker: PickerWidget }}
      formContext={formContext}
      disabled={readOnly}
      liveValidate="onChange"
      transformErrors={transformErrors}
      showErrorList={false}
      noHtml5Validate
      onChange={(event) => onChange((event.formData ?? {}) as JsonObject)}
      className="params-form"
    />
  );
}
