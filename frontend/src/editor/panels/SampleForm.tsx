/** The sample event as a form: the order's main fields by their titles (values as labels), its JSON under "advanced". */
import { useState } from "react";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";
import { Picker } from "../fields/Picker";
import { numberValue } from "../condition";
import type { FieldInfo } from "../fields/fields";
import { readPath } from "../variables";

const SCALAR = new Set(["money", "number", "integer", "text", "enum", "bool", "time"]);

/** A copy of `value` with `path` set to `next`. */
export function setPath(value: Record<string, unknown>, path: string, next: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) return { ...value, [head]: next };
  const child = (value[head] ?? {}) as Record<string, unknown>;
  return { ...value, [head]: setPath(typeof child === "object" && child ? child : {}, rest.join("."), next) };
}

function FieldRow({ field, value, onChange }: { field: FieldInfo; value: unknown; onChange: (next: unknown) => void }) {
  const { language } = useI18n();
  const title = field.title[language] || field.key;
  if (field.options.length || (field.picker && field.kind !== "list")) {
    return (
      <label>
        {title}
        <Picker
          kind={field.picker}
          fallback={field.options}
          value={value === null || value === undefined ? "" : String(value)}
          label={title}
          onChange={(next) => onChange(next)}
        />
      </label>
    );
  }
  if (field.kind === "bool")
    return (
      <label className="check">
        <input type="checkbox" checked={!!value} onChange={(e) => onChange(e.target.checked)} /> {title}
      </label>
    );
  const numeric = field.kind === "number" || field.kind === "integer";
  return (
    <label>
      {title}
      <input
        value={value === null || value === undefined ? "" : String(value)}
        inputMode={numeric || field.kind === "money" ? "decimal" : undefined}
        onChange={(e) => onChange(numeric ? (numberValue(e.target.value) ?? e.target.value) : e.target.value)}
      />
    </label>
  );
}

export function SampleForm({
  value,
  onChange,
}: {
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const { t } = useI18n();
  const { fields } = useEditor();
  const [draft, setDraft] = useState<string | null>(null);
  const [bad, setBad] = useState(false);
  // The first level of each object (order.channel, order.total_amount…): what a rule usually reads.
  const shown = fields.filter((f) => f.depth === 1 && SCALAR.has(f.kind) && f.kind !== "time");
  return (
    <div className="sample-form stack" data-testid="sample-form">
      <div className="form-grid">
        {shown.map((f) => (
          <FieldRow
            key={f.path}
            field={f}
            value={readPath(value, f.path)}
            onChange={(next) => onChange(setPath(value, f.path, next))}
          />
        ))}
      </div>
      <details className="advanced">
        <summary>{t("editor.advanced")}</summary>
        <textarea
          className="code"
          rows={10}
          value={draft ?? JSON.stringify(value, null, 2)}
          aria-label={t("test.event")}
          data-testid="test-event"
          onChange={(e) => {
            setDraft(e.target.value);
            try {
              onChange(JSON.parse(e.target.value) as Record<string, unknown>);
              setBad(false);
            } catch {
              setBad(true);
            }
          }}
          onBlur={() => !bad && setDraft(null)}
        />
        {bad && <p className="error-note">{t("cond.invalidJson")}</p>}
      </details>
    </div>
  );
}
