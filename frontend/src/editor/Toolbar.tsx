/** The editor's toolbar (name, save state, undo and redo, layout, import, export, validate, publish) and its publish bar. */
import { useRef, useState } from "react";
import type { Flow } from "../api/types";
import { Link } from "../app/router";
import { useI18n } from "../i18n/i18n";
import type { CanvasHistory } from "./history";
import { Icon } from "./icons";
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
          {t(flow.enabled ? "flows.status.running" : "flows.status.disabled", { n: flow.current_version.number })}
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
                <Icon name="undo" />
              </button>
              <button
                type="button"
                className="icon"
                onClick={history.redo}
                disabled={!history.canRedo}
                title={t("editor.redo")}
                aria-label={t("editor.redo")}
              >
                <span className="flip">
                  <Icon name="undo" />
                </span>
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

/** Says plainly when the flow is published but not running (or never published), with the way to switch it on. */
export function FlowStateNote({ flow, onEnable }: { flow: Flow; onEnable: () => void }) {
  const { t } = useI18n();
  if (!flow.current_version || flow.enabled) return null;
  return (
    <div className="notice warning" role="status" data-testid="flow-not-running">
      {t("editor.publishedNotRunning", { n: flow.current_version.number })}
      <button type="button" className="primary" onClick={onEnable}>
        {t("flows.enable")}
      </button>
    </div>
  );
}

/** Publishing: a note, and on the first publish whether to switch the flow on (yes unless unticked). */
export function PublishBar({
  firstPublish,
  note,
  onNote,
  onPublish,
  onCancel,
}: {
  firstPublish: boolean;
  note: string;
  onNote: (note: string) => void;
  onPublish: (enable: boolean | undefined) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [enable, setEnable] = useState(true);
  return (
    <form
      className="publish-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onPublish(firstPublish ? enable : undefined);
      }}
    >
      <label>
        {t("editor.publishNote")}
        <input value={note} onChange={(e) => onNote(e.target.value)} data-testid="publish-note" />
      </label>
      {firstPublish && (
        <label className="check">
          <input
            type="checkbox"
            checked={enable}
            onChange={(e) => setEnable(e.target.checked)}
            data-testid="publish-enable"
          />
          {t("editor.publishEnable")}
        </label>
      )}
      <button type="submit" className="primary" autoFocus>
        {t("editor.publishConfirm")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </form>
  );
}
