/** The editor's toolbar (name, save state, undo and redo, layout, import, export, validate, publish) and its publish bar. */
import { useRef } from "react";
import type { Flow } from "../api/types";
import { Link } from "../app/router";
import { useI18n } from "../i18n/i18n";
import type { CanvasHistory } from "./history";
import type { SaveState } from "./useEditorState";

export function Toolbar({
  name,
  onName,
  flow,
  readOnly,
  saveState,
  showingExecution,
  history,
  publishing,
  onPublishing,
  onLayout,
  onImport,
  onExport,
  onValidate,
  onToggleEnabled,
}: {
  name: string;
  onName: (name: string) => void;
  flow: Flow;
  readOnly: boolean;
  saveState: SaveState;
  /** An execution is on the canvas: the toolbar only leads back to the flow. */
  showingExecution: boolean;
  history: Pick<CanvasHistory, "undo" | "redo" | "canUndo" | "canRedo">;
  publishing: boolean;
  onPublishing: (publishing: boolean) => void;
  onLayout: () => void;
  onImport: (file: File | undefined) => void;
  onExport: () => void;
  onValidate: () => void;
  onToggleEnabled: () => void;
}) {
  const { t } = useI18n();
  const importInput = useRef<HTMLInputElement>(null);
  const saveLabel = {
    saved: t("editor.saved"),
    unsaved: t("editor.unsaved"),
    saving: t("editor.saving"),
    failed: t("editor.saveFailed"),
  }[saveState];

  return (
    <div className="editor-toolbar" role="toolbar" aria-label={t("editor.node")}>
      <input
        className="flow-title"
        value={name}
        readOnly={readOnly}
        aria-label={t("editor.name")}
        onChange={(e) => onName(e.target.value)}
      />
      {!readOnly && (
        <span className={`save-state save-${saveState}`} role="status" data-testid="save-state">
          {saveLabel}
        </span>
      )}
      {flow.current_version && (
        <span className={`badge ${flow.enabled ? "flow-published" : "flow-disabled"}`}>
          {t(flow.enabled ? "flows.status.published" : "flows.status.disabled", { n: flow.current_version.number })}
        </span>
      )}
      <span className="spacer" />
      {showingExecution ? (
        <Link to={`/flows/${flow.id}`}>{t("executions.back")}</Link>
      ) : (
        <>
          {!readOnly && (
            <>
              <button
                type="button"
                className="icon"
                onClick={history.undo}
                disabled={!history.canUndo}
                title={t("editor.undo")}
                aria-label={t("editor.undo")}
              >
                ↶
              </button>
              <button
                type="button"
                className="icon"
                onClick={history.redo}
                disabled={!history.canRedo}
                title={t("editor.redo")}
                aria-label={t("editor.redo")}
              >
                ↷
              </button>
              <button type="button" onClick={onLayout}>
                {t("editor.layout")}
              </button>
              <button type="button" onClick={() => importInput.current?.click()}>
                {t("editor.import")}
              </button>
              <input
                ref={importInput}
                type="file"
                accept="application/json,.json"
                hidden
                onChange={(e) => onImport(e.target.files?.[0])}
              />
            </>
          )}
          <button type="button" onClick={onExport}>
            {t("editor.export")}
          </button>
          <button type="button" onClick={onValidate}>
            {t("editor.validate")}
          </button>
          {!readOnly && (
            <>
              {flow.current_version && (
                <button type="button" onClick={onToggleEnabled} data-testid="toggle-enabled">
                  {flow.enabled ? t("flows.disable") : t("flows.enable")}
                </button>
              )}
              <button
                type="button"
                className="primary"
                onClick={() => onPublishing(!publishing)}
                aria-expanded={publishing}
              >
                {t("editor.publish")}
              </button>
            </>
          )}
        </>
      )}
    </div>
  );
}

export function PublishBar({
  note,
  onNote,
  onPublish,
  onCancel,
}: {
  note: string;
  onNote: (note: string) => void;
  onPublish: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <form
      className="publish-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onPublish();
      }}
    >
      <label>
        {t("editor.publishNote")}
        <input value={note} onChange={(e) => onNote(e.target.value)} autoFocus data-testid="publish-note" />
      </label>
      <button type="submit" className="primary">
        {t("editor.publishConfirm")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </form>
  );
}
