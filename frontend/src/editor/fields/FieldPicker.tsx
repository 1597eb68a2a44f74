/** Picks a condition's field from the tree of the event's context: titles in the user's language, each with its kind. */
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import { fullTitle, type FieldInfo } from "./fields";

export function FieldPicker({
  fields,
  value,
  onChange,
  disabled,
}: {
  fields: FieldInfo[];
  value: string;
  onChange: (field: FieldInfo) => void;
  disabled?: boolean;
}) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const current = fields.find((f) => f.path === value);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    if (!needle) return fields;
    return fields.filter(
      (f) =>
        f.title.zh.toLowerCase().includes(needle) ||
        f.title.en.toLowerCase().includes(needle) ||
        f.path.toLowerCase().includes(needle),
    );
  }, [fields, q]);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  return (
    <div className="picker field-picker" ref={box}>
      <button
        type="button"
        className="picker-button"
        disabled={disabled}
        aria-haspopup="tree"
        aria-expanded={open}
        aria-label={t("cond.field")}
        onClick={() => setOpen(!open)}
      >
        {value ? (
          <span>{current ? fullTitle(value, fields, language) : value}</span>
        ) : (
          <span className="muted">{t("cond.chooseField")}</span>
        )}
        <span className="picker-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div className="picker-pop" role="dialog" aria-label={t("cond.field")}>
          <input
            type="search"
            autoFocus
            value={q}
            placeholder={t("picker.search")}
            aria-label={t("picker.search")}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") setOpen(false);
              else if (e.key === "Enter" && shown[0]) {
                e.preventDefault();
                onChange(shown[0]);
                setOpen(false);
              }
            }}
          />
          <ul role="tree">
            {shown.map((f) => (
              <li key={f.path} role="treeitem" aria-level={f.depth + 1} aria-selected={f.path === value}>
                <button
                  type="button"
                  style={{ paddingLeft: `${0.5 + (q ? 0 : f.depth) * 1.1}rem` }}
                  className={f.branch ? "tree-branch" : ""}
                  onClick={() => {
                    onChange(f);
                    setOpen(false);
                  }}
                  data-field={f.path}
                >
                  {q ? fullTitle(f.path, fields, language) : f.title[language] || f.key}
                  <span className={`kind-badge kind-${f.kind}`}>{t(`kind.${f.kind}` as MessageKey)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
