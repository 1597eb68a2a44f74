import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import type { Variable } from "./variables";

/** A searchable list of context paths; Enter or a click picks one, Escape closes. */
export function VariablePicker({
  variables,
  onPick,
  onClose,
}: {
  variables: Variable[];
  onPick: (path: string) => void;
  onClose: () => void;
}) {
  const { t, pick } = useI18n();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const matches = (v: Variable) =>
      v.path.toLowerCase().includes(q) ||
      !!v.label?.zh.toLowerCase().includes(q) ||
      !!v.label?.en.toLowerCase().includes(q);
    return (q ? variables.filter(matches) : variables).filter((v) => v.type !== "object").slice(0, 200);
  }, [query, variables]);

  useEffect(() => {
    const close = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [onClose]);

  return (
    <div className="variable-picker" ref={box} role="dialog" aria-label={t("editor.variables")}>
      <input
        autoFocus
        type="search"
        value={query}
        placeholder={t("editor.variableSearch")}
        aria-label={t("editor.variableSearch")}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") setActive((i) => Math.min(i + 1, shown.length - 1));
          else if (e.key === "ArrowUp") setActive((i) => Math.max(i - 1, 0));
          else if (e.key === "Enter" && shown[active]) onPick(shown[active].path);
          else if (e.key === "Escape") onClose();
          else return;
          e.preventDefault();
        }}
      />
      <ul role="listbox">
        {shown.map((v, i) => (
          <li key={v.path} role="option" aria-selected={i === active}>
            <button
              type="button"
              className={i === active ? "active" : ""}
              onClick={() => onPick(v.path)}
              data-testid={`var-${v.path}`}
            >
              {pick(v.label, v.path)}{" "}
              {v.kind && <span className={`kind-badge kind-${v.kind}`}>{t(`kind.${v.kind}` as MessageKey)}</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
