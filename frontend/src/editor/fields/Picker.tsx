/**
 * A searchable picker over real values: a button showing the chosen labels; clicking it opens a search
 * box and the list. One value, or several (`multiple`: "is one of"). When `allowNew` is set (tags), what
 * was typed can be used as a new value.
 */
import { useEffect, useId, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";
import type { PickerKind } from "./fields";
import { valueLabel } from "./fields";
import { usePickerOptions, type PickerOption } from "./pickers";

export interface PickerProps {
  kind: PickerKind | null;
  /** The schema's own values (an enum), shown when the server has no picker of this kind. */
  fallback?: PickerOption[];
  value: string | string[];
  multiple?: boolean;
  allowNew?: boolean;
  disabled?: boolean;
  label: string;
  id?: string;
  extra?: Record<string, string>;
  onChange: (value: string | string[]) => void;
  testId?: string;
}

export function Picker({
  kind,
  fallback = [],
  value,
  multiple = false,
  allowNew = false,
  disabled = false,
  label,
  id,
  extra,
  onChange,
  testId,
}: PickerProps) {
  const { t, pick } = useI18n();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const listId = useId();
  const { options, loading, error } = usePickerOptions(kind, q, open, fallback, extra);
  const chosen = Array.isArray(value) ? value : value ? [value] : [];
  // Labels of values seen in any answer, so a chosen value keeps its label once the list is closed.
  const [known, setKnown] = useState<Map<string, PickerOption>>(new Map());
  useEffect(() => {
    if (options.length) setKnown((m) => new Map([...m, ...options.map((o) => [o.value, o] as const)]));
  }, [options]);
  const labelOf = (v: string) =>
    pick(known.get(v)?.label ?? fallback.find((o) => o.value === v)?.label ?? valueLabel(v), v);
  const typed = q.trim();
  const canAdd = allowNew && typed !== "" && !options.some((o) => o.value === typed || pick(o.label) === typed);
  const rows: PickerOption[] = canAdd
    ? [...options, { value: typed, label: { zh: typed, en: typed }, hint: "new" }]
    : options;

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const choose = (option: PickerOption) => {
    if (multiple) {
      onChange(chosen.includes(option.value) ? chosen.filter((v) => v !== option.value) : [...chosen, option.value]);
    } else {
      onChange(option.value);
      setOpen(false);
      setQ("");
    }
  };

  return (
    <div className="picker" ref={box} data-testid={testId}>
      <button
        type="button"
        id={id}
        className="picker-button"
        disabled={disabled}
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={label}
        onClick={() => setOpen(!open)}
      >
        {chosen.length === 0 ? (
          <span className="muted">{t("picker.choose")}</span>
        ) : (
          chosen.map((v) => (
            <span key={v} className="value-chip">
              {labelOf(v)}
            </span>
          ))
        )}
        <span className="picker-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div className="picker-pop" role="dialog" aria-label={label}>
          <input
            type="search"
            autoFocus
            value={q}
            placeholder={t("picker.search")}
            aria-label={t("picker.search")}
            aria-controls={listId}
            onChange={(e) => {
              setQ(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown") setActive((i) => Math.min(i + 1, rows.length - 1));
              else if (e.key === "ArrowUp") setActive((i) => Math.max(i - 1, 0));
              else if (e.key === "Enter" && rows[active]) choose(rows[active]);
              else if (e.key === "Escape") setOpen(false);
              else return;
              e.preventDefault();
            }}
          />
          <ul role="listbox" id={listId} aria-multiselectable={multiple}>
            {rows.map((o, i) => (
              <li key={o.value} role="option" aria-selected={chosen.includes(o.value)}>
                <button
                  type="button"
                  className={i === active ? "active" : ""}
                  onClick={() => choose(o)}
                  data-value={o.value}
                >
                  {multiple && (
                    <span className="check-box" aria-hidden="true">
                      {chosen.includes(o.value) ? "✓" : ""}
                    </span>
                  )}
                  {o.hint === "new" ? t("picker.useNew", { value: o.value }) : pick(o.label, o.value)}
                  {o.hint && o.hint !== "new" && o.hint !== o.value && <span className="muted small"> {o.hint}</span>}
                </button>
              </li>
            ))}
            {rows.length === 0 && <li className="muted small">{loading ? t("common.loading") : t("picker.none")}</li>}
          </ul>
          {error && <p className="error-note small">{error.message}</p>}
          {multiple && (
            <button type="button" className="picker-done" onClick={() => setOpen(false)}>
              {t("picker.done")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
