import Form from "@rjsf/core";
import type { RJSFSchema, UiSchema, WidgetProps } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMemo, useRef, useState } from "react";
import type { JsonObject, JsonSchema } from "../api/types";
import { useI18n, type Language } from "../i18n/i18n";
import { ENUM_LABELS, PARAM_LABELS } from "./labels";
import { VariablePicker } from "./VariablePicker";
import type { Variable } from "./variables";

interface FormContext {
  variables: Variable[];
}

/** The action's schema as RJSF reads it: its `$schema`/`$id` dropped (ajv would look them up). */
function formSchema(schema: JsonSchema): RJSFSchema {
  const copy = { ...schema };
  delete copy.$schema;
  delete copy.$id;
  return copy as RJSFSchema;
}

/** Labels in the UI language for each property (schema titles win), and names for enum values. */
export function uiSchemaFor(schema: JsonSchema, language: Language): UiSchema {
  const ui: UiSchema = { "ui:submitButtonOptions": { norender: true } };
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const i = language === "zh" ? 0 : 1;
  for (const [key, property] of Object.entries(properties)) {
    const entry: UiSchema = {};
    const localized =
      (property[language === "zh" ? "title_zh" : "title_en"] as string | undefined) ??
      (property.title as string | undefined);
    entry["ui:title"] = localized ?? PARAM_LABELS[key]?.[i] ?? key;
    if (Array.isArray(property.enum))
      entry["ui:enumNames"] = property.enum.map((v) => ENUM_LABELS[String(v)]?.[i] ?? String(v));
    if (property.description) entry["ui:description"] = String(property.description);
    if (property.type === "string" && (key === "text" || key === "body")) entry["ui:options"] = { multiline: true };
    // Secrets (`"format": "password"`, `"writeOnly": true`): a masked input, no variable picker, never autofilled.
    if (property.format === "password" || property.writeOnly === true) {
      entry["ui:widget"] = "password";
      entry["ui:options"] = { autocomplete: "new-password" };
    }
    ui[key] = entry;
  }
  return ui;
}

/** A text input with a button that inserts `{{ path }}` from the variable picker at the caret. */
function TemplateTextWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, disabled, readonly, required, options, registry, placeholder } = props;
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const variables = (registry.formContext as FormContext | undefined)?.variables ?? [];
  const text = value === undefined || value === null ? "" : String(value);
  const insert = (path: string) => {
    const at = caret.current ?? text.length;
    const next = `${text.slice(0, at)}{{ ${path} }}${text.slice(at)}`;
    onChange(next);
    setOpen(false);
    window.setTimeout(() => ref.current?.focus(), 0);
  };
  const common = {
    id,
    ref,
    value: text,
    required,
    placeholder,
    disabled: disabled || readonly,
    onChange: (e: { target: { value: string } }) =>
      onChange(e.target.value === "" ? options.emptyValue : e.target.value),
    onBlur: () => {
      caret.current = ref.current?.selectionStart ?? null;
      onBlur(id, text);
    },
    onFocus: () => onFocus(id, text),
    onSelect: () => {
      caret.current = ref.current?.selectionStart ?? null;
    },
  };
  return (
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
          {"{x}"}
        </button>
      )}
      {open && <VariablePicker variables={variables} onPick={insert} onClose={() => setOpen(false)} />}
    </div>
  );
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
  const { language } = useI18n();
  const rjsfSchema = useMemo(() => formSchema(schema), [schema]);
  const uiSchema = useMemo(() => uiSchemaFor(schema, language), [schema, language]);
  const formContext = useMemo<FormContext>(() => ({ variables }), [variables]);
  return (
    <Form
      schema={rjsfSchema}
      uiSchema={uiSchema}
      formData={params}
      validator={validator}
      widgets={{ TextWidget: TemplateTextWidget, TextareaWidget: TemplateTextWidget }}
      formContext={formContext}
      disabled={readOnly}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      onChange={(event) => onChange((event.formData ?? {}) as JsonObject)}
      className="params-form"
    />
  );
}
