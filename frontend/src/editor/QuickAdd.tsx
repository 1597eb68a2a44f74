/** The palette opened from a "+" on an output: pick the next step and it is added there, connected and laid out. */
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../i18n/i18n";
import { useEditor } from "./context";
import { Icon } from "./icons";
import type { PaletteItem } from "./Palette";
import type { AddAfter } from "./useEditorState";

export function QuickAdd({
  at,
  onAdd,
  onClose,
}: {
  at: AddAfter;
  onAdd: (item: PaletteItem, after: AddAfter) => void;
  onClose: () => void;
}) {
  const { t, pick } = useI18n();
  const { catalog, actions } = useEditor();
  const [q, setQ] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const entries = useMemo(() => {
    const list: { item: PaletteItem; icon: string | undefined; label: string; group: string; id: string }[] = [
      {
        item: { kind: "condition" },
        icon: "condition",
        label: t("editor.condition"),
        group: t("editor.logic"),
        id: "condition",
      },
    ];
    for (const connector of catalog.connectors) {
      for (const key of connector.actions) {
        const spec = actions.get(key);
        if (spec)
          list.push({
            item: { kind: "action", key },
            icon: spec.icon,
            label: pick(spec.name, key),
            group: pick(connector.name, connector.key),
            id: key,
          });
      }
    }
    const needle = q.trim().toLowerCase();
    return needle
      ? list.filter((e) => e.label.toLowerCase().includes(needle) || e.group.toLowerCase().includes(needle))
      : list;
  }, [catalog, actions, pick, q, t]);

  useEffect(() => {
    const close = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [onClose]);

  const branch = at.branch === undefined ? "" : at.branch === "true" ? t("editor.yes") : t("editor.no");
  return (
    <div className="quick-add" ref={box} role="dialog" aria-label={t("editor.addNext")} data-testid="quick-add">
      <h3>{branch ? t("editor.addNextBranch", { branch }) : t("editor.addNext")}</h3>
      <input
        type="search"
        autoFocus
        value={q}
        placeholder={t("picker.search")}
        aria-label={t("picker.search")}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") onClose();
          else if (e.key === "Enter" && entries[0]) onAdd(entries[0].item, at);
        }}
      />
      <ul>
        {entries.map((e) => (
          <li key={e.id}>
            <button
              type="button"
              className="palette-item"
              onClick={() => onAdd(e.item, at)}
              data-testid={`quick-${e.id}`}
            >
              <span className="node-icon" aria-hidden="true">
                <Icon name={e.icon} />
              </span>
              <span>{e.label}</span>
              <span className="muted small">{e.group}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
