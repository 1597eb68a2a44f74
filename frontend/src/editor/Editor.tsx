/** The flow editor: the toolbar, the palette, the canvas and the side panel around the editor's state. */
import type { Catalog, Execution, Flow, FlowDocument } from "../api/types";
import { ErrorNote } from "../components/common";
import { isGuided } from "../pages/FlowsFirstScreen";
import { useI18n } from "../i18n/i18n";
import { EditorContext } from "./context";
import { EditorCanvas } from "./EditorCanvas";
import { Palette } from "./Palette";
import { SidePanel } from "./SidePanel";
import { FlowStateNote, PublishBar, Toolbar } from "./Toolbar";
import { useEditorState } from "./useEditorState";
import { useShortcuts } from "./useShortcuts";

export function Editor({
  initialFlow,
  catalog,
  document: initialDocument,
  execution: initialExecution,
  readOnly,
  initialNotice = "",
  onReload,
}: {
  initialFlow: Flow;
  catalog: Catalog;
  document: FlowDocument;
  execution: Execution | null;
  readOnly: boolean;
  initialNotice?: string;
  /** Loads the flow again (a new editor); `message` is shown in it. */
  onReload: (message?: string) => void;
}) {
  const { t } = useI18n();
  const state = useEditorState({ initialFlow, catalog, initialDocument, initialExecution, readOnly, initialNotice });
  const { history, document, flow, notice, error, execution } = state;
  useShortcuts({ history, readOnly, save: state.save });

  return (
    <EditorContext.Provider value={state.context}>
      <div className="editor">
        <Toolbar
          name={document.name}
          onName={state.setName}
          flow={flow}
          readOnly={readOnly}
          saveState={state.saveState}
          showingExecution={!!execution}
          history={history}
          publishing={state.publishing}
          onPublishing={state.setPublishing}
          onLayout={state.autoLayout}
          onImport={(file) => void state.importFile(file)}
          onExport={state.exportFile}
          onValidate={() => void state.validate()}
          onToggleEnabled={() => void state.toggleEnabled()}
        />
        {readOnly && !execution && (
          <div className="notice read-only-note" role="note" data-testid="read-only-note">
            {t("editor.readOnly")}
          </div>
        )}
        {!readOnly && <FlowStateNote flow={flow} onEnable={() => void state.toggleEnabled()} />}
        {!readOnly && !execution && isGuided(flow.id) && (
          <div className="notice guide" role="note" data-testid="guide">
            {t("flows.guide")}
          </div>
        )}
        {state.publishing && (
          <PublishBar
            firstPublish={!flow.current_version}
            note={state.note}
            onNote={state.setNote}
            onPublish={(enable) => void state.publish(enable)}
            onCancel={() => state.setPublishing(false)}
          />
        )}
        {notice && (
          <div className="notice" role="status">
            {notice}
            <button type="button" className="link" onClick={() => state.setNotice("")} aria-label={t("common.close")}>
              ✕
            </button>
          </div>
        )}
        <ErrorNote error={error} />
        <div className={`editor-body${readOnly ? " read-only" : ""}`}>
          <Palette onAdd={(item) => state.addItem(item)} />
          <EditorCanvas state={state} readOnly={readOnly} />
          <SidePanel state={state} catalog={catalog} readOnly={readOnly} onReload={onReload} />
        </div>
      </div>
    </EditorContext.Provider>
  );
}
