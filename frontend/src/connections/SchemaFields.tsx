import { useI18n } from "../i18n/i18n";
import { fieldErrorText, fieldTitle, type FieldErrors, type FieldSpec, type FieldValues } from "./schemaForm";

/**
 * The inputs of a schema-drawn form: a labelled text input per field, a password input for a
 * secret, the field's rule as a hint and its error (the browser's check or the server's) under it.
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
  onChange: (name: string, value: string) => void;
}) {
  const { t, language } = useI18n();
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const error = errors[field.name];
        const hint = field.secret ? t("add.secretHint") : field.description;
        return (
          <div className={`field${error ? " invalid" : ""}`} key={field.name} data-field={field.name}>
            <label htmlFor={id}>
              <span>
                {fieldTitle(field, language)}
                {field.required && !optional && (
                  <span className="required-mark" aria-hidden="true">
                    {" "}
                    *
                  </span>
                )}
              </span>
            </label>
            <input
              id={id}
              name={field.name}
              type={field.secret ? "password" : "text"}
              autoComplete={field.secret ? "new-password" : "off"}
              spellCheck={false}
              value={values[field.name] ?? ""}
              placeholder={field.secret ? "" : (field.example ?? "")}
              aria-required={field.required && !optional ? true : undefined}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
              onChange={(event) => onChange(field.name, event.target.value)}
            />
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
