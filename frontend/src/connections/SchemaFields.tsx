import type { ReactNode } from "react";
import { useI18n } from "../i18n/i18n";
import {
  fieldErrorText,
  type FieldError,
  fieldRangeHint,
  fieldTitle,
  type FieldErrors,
  type FieldSpec,
  type FieldValue,
  type FieldValues,
} from "./schemaForm";

/**
 * The inputs of a schema-drawn form, one per field: a text input (a password input for a secret),
 * a number input for an integer or number (its range as the hint), a checkbox for a boolean, a
 * list for an `enum`; the field's rule as a hint and its error (the browser's check or the
 * server's) under it.
 */
export function SchemaFields({
  idPrefix,
  fields,
  values,
  errors,
  optional = false,
  onChange,
}: {
  idPrefix: string;
  fields: FieldSpec[];
  values: FieldValues;
  errors: FieldErrors;
  /** Required fields may be left empty (a sandbox connection: the server fills test credentials). */
  optional?: boolean;
  onChange: (name: string, value: FieldValue) => void;
}) {
  const { t, language } = useI18n();
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const error = errors[field.name];
        const hint = field.secret ? t("add.secretHint") : (field.description ?? fieldRangeHint(field, t));
        const required = field.required && !optional && field.type !== "boolean";
        const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
        const title = fieldTitle(field, language);
        const value = values[field.name];
        const text = typeof value === "string" ? value : "";
        const common = {
          id,
          name: field.name,
          "aria-required": required ? true : undefined,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": described,
        } as const;

        let input: ReactNode;
        if (field.type === "boolean") {
          input = (
            <label className="check">
              <input
                {...common}
                type="checkbox"
                checked={value === true}
                onChange={(event) => onChange(field.name, event.target.checked)}
              />
              {title}
            </label>
          );
        } else if (field.options) {
          input = (
            <select {...common} value={text} onChange={(event) => onChange(field.name, event.target.value)}>
              {(!field.required || text === "") && <option value="">{t("field.choose")}</option>}
              {field.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          );
        } else if (field.type === "integer" || field.type === "number") {
          input = (
            <input
              {...common}
              type="number"
              inputMode={field.type === "integer" ? "numeric" : "decimal"}
              step={field.type === "integer" ? 1 : "any"}
              min={field.minimum}
              max={field.maximum}
              autoComplete="off"
              value={text}
              placeholder={field.example ?? ""}
              onChange={(event) => onChange(field.name, event.target.value)}
            />
          );
        } else {
          input = (
            <input
              {...common}
              type={field.secret ? "password" : "text"}
              autoComplete={field.secret ? "new-password" : "off"}
              spellCheck={false}
              value={text}
              placeholder={field.secret ? "" : (field.example ?? "")}
              onChange={(event) => onChange(field.name, event.target.value)}
            />
          );
        }

        return (
          <div className={`field${error ? " invalid" : ""}`} key={field.name} data-field={field.name}>
            {field.type !== "boolean" && (
              <label htmlFor={id}>
                <span>
                  {title}
                  {required && (
                    <span className="required-mark" aria-hidden="true">
                      {" "}
                      *
                    </span>
                  )}
                </span>
              </label>
            )}
            {input}
            {hint && !error && (
              <p className="field-hint" id={`${id}-hint`}>
                {hint}
              </p>
            )}
            {error && (
              <p className="field-error" id={`${id}-error`} role="alert">
                {fieldErrorText(error, t)}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}

/** What the server said of a group of fields as a whole (an entry the schema does not declare). */
export function GroupError({ id, error }: { id: string; error: FieldError | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {fieldErrorText(error, t)}
    </p>
  );
}
