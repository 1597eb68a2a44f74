import type { DragEvent } from "react";
import { useI18n } from "../i18n/i18n";
import { useEditor } from "./context";
import { anyEventAvailable } from "./events";
import { Icon } from "./icons";

export type PaletteItem = { kind: "trigger"; type: string } | { kind: "condition" } | { kind: "action"; key: string };

export const PALETTE_MIME = "application/x-orderflow-node";

export function Palette({ onAdd }: { onAdd: (item: PaletteItem) => void }) {
  const { t, pick } = useI18n();
  const { catalog, actions, readOnly } = useEditor();
  if (readOnly) return null;

  /** `unavailable`: why the item cannot be added now (the entry is greyed out, with this as its tooltip). */
  const entry = (
    item: PaletteItem,
    icon: string | undefined,
    label: string,
    hint: string,
    testId: string,
    unavailable?: string,
  ) => {
    const start = (event: DragEvent) => {
      event.dataTransfer.setData(PALETTE_MIME, JSON.stringify(item));
      event.dataTransfer.effectAllowed = "copy";
    };
    return (
      <li key={testId}>
        <button
          type="button"
          className="palette-item"
          draggable={!unavailable}
          disabled={!!unavailable}
          onDragStart={start}
          onClick={() => onAdd(item)}
          title={unavailable ?? hint}
          data-testid={testId}
        >
          <span className="node-icon" aria-hidden="true">
            <Icon name={icon} />
          </span>
          <span>{label}</span>
        </button>
      </li>
    );
  };

  return (
    <aside className="palette" aria-label={t("editor.palette")}>
      <h2>{t("editor.palette")}</h2>
      <p className="muted small">{t("editor.paletteHint")}</p>
      <h3>{t("editor.triggers")}</h3>
      <ul>
        {catalog.triggers.map((trigger) =>
          entry(
            { kind: "trigger", type: trigger.type },
            trigger.type,
            pick(trigger.name),
            pick(trigger.description),
            `palette-trigger-${trigger.type}`,
            trigger.type === "event" && !anyEventAvailable(catalog) ? t("editor.noEventAvailable") : undefined,
          ),
        )}
      </ul>
      <h3>{t("editor.logic")}</h3>
      <ul>
        {entry({ kind: "condition" }, "condition", t("editor.condition"), t("editor.condition"), "palette-condition")}
      </ul>
      {catalog.connectors
        .filter((connector) => connector.actions.length > 0)
        .map((connector) => (
          <section key={connector.key}>
            <h3>{pick(connector.name, connector.key)}</h3>
            <ul>
              {connector.actions.map((key) => {
                const spec = actions.get(key);
                if (!spec) return null;
                return entry(
                  { kind: "action", key },
                  spec.icon,
                  pick(spec.name, key),
                  pick(spec.description),
                  `palette-action-${key}`,
                );
              })}
            </ul>
          </section>
        ))}
    </aside>
  );
}
