/** The flow editor: the toolbar, the palette, the canvas and the side panels around the editor's state. */
import { Background, Controls, MiniMap, ReactFlow, type Edge } from "@xyflow/react";
import { executionsApi } from "../api/flows";
import type { Catalog, Execution, Flow, FlowDocument } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import { EditorContext } from "./context";
import type { CanvasNode } from "./document";
import { NodePanel } from "./NodePanel";
import { nodeTypes } from "./nodes";
import { Palette, PALETTE_MIME } from "./Palette";
import { ExecutionPanel } from "./panels/ExecutionPanel";
import { HistoryPanel } from "./panels/HistoryPanel";
import { ProblemsPanel } from "./panels/ProblemsPanel";
import { TestPanel } from "./panels/TestPanel";
import { PublishBar, Toolbar } from "./Toolbar";
import { useEditorState, type Tab } from "./useEditorState";
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
  const { can } = useAuth();
  const state = useEditorState({ initialFlow, catalog, initialDocument, initialExecution, readOnly, initialNotice });
  const { history, canvas, document, trigger, selectedNode, flow, problems, tab, notice, error, execution } = state;
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
        {state.publishing && (
          <PublishBar
            note={state.note}
            onNote={state.setNote}
            onPublish={() => void state.publish()}
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
          <div
            className="canvas"
            onDrop={state.onDrop}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(PALETTE_MIME)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = "copy";
              }
            }}
            data-testid="canvas"
          >
            <ReactFlow<CanvasNode, Edge>
              nodes={canvas.nodes}
              edges={state.edges}
              nodeTypes={nodeTypes}
              onNodesChange={history.onNodesChange}
              onEdgesChange={history.onEdgesChange as never}
              onConnect={state.onConnect}
              isValidConnection={state.isValidConnection as never}
              onNodeDragStart={() => history.checkpoint()}
              onSelectionChange={state.onSelectionChange}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              edgesFocusable
              nodesFocusable
              deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
              multiSelectionKeyCode={["Shift", "Meta", "Control"]}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
              minZoom={0.1}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
              defaultEdgeOptions={{ interactionWidth: 16 }}
              ariaLabelConfig={{
                "controls.zoomIn.ariaLabel": t("editor.zoomIn"),
                "controls.zoomOut.ariaLabel": t("editor.zoomOut"),
                "controls.fitView.ariaLabel": t("editor.fit"),
                "minimap.ariaLabel": t("editor.minimap"),
              }}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeStrokeWidth={3} />
            </ReactFlow>
          </div>
          <aside className="side">
            <div className="tabs" role="tablist">
              {(execution
                ? (["execution", "node", "problems"] as Tab[])
                : (["node", "problems", "history", "test"] as Tab[])
              ).map((name) => (
                <button
                  key={name}
                  type="button"
                  role="tab"
                  aria-selected={tab === name}
                  className={tab === name ? "active" : ""}
                  onClick={() => state.setTab(name)}
                  data-testid={`tab-${name}`}
                >
                  {name === "node"
                    ? t("editor.node")
                    : name === "problems"
                      ? t("editor.problems", { n: problems.length })
                      : name === "history"
                        ? t("editor.history")
                        : name === "test"
                          ? t("editor.test")
                          : t("editor.executions")}
                </button>
              ))}
            </div>
            <div className="tab-body" role="tabpanel">
              {tab === "node" && (
                <NodePanel
                  node={selectedNode}
                  trigger={trigger}
                  nodes={document.nodes}
                  edges={document.edges}
                  onTrigger={state.setTrigger}
                  onNode={state.changeNode}
                  onRename={state.rename}
                  onDelete={(id) => state.removeNodes([id])}
                  onConnect={(edge) =>
                    state.onConnect({
                      source: edge.from,
                      target: edge.to,
                      sourceHandle: edge.branch ?? null,
                      targetHandle: null,
                    })
                  }
                  onDisconnect={state.disconnect}
                />
              )}
              {tab === "problems" && <ProblemsPanel problems={problems} onSelect={(id) => state.select([id])} />}
              {tab === "history" && (
                <HistoryPanel
                  flow={flow}
                  canEdit={!readOnly}
                  onShowDiff={state.setDiff}
                  onRolledBack={(message) => onReload(message)}
                />
              )}
              {tab === "test" && (
                <TestPanel
                  flowId={flow.id}
                  trigger={trigger}
                  catalog={catalog}
                  canRun={can(FLOW_EDITORS)}
                  beforeRun={state.save}
                  onResult={state.setTestSteps}
                />
              )}
              {tab === "execution" && execution && (
                <ExecutionPanel
                  execution={execution}
                  canReplay={can(FLOW_EDITORS)}
                  onSelect={(id) => state.select([id])}
                  onReplayed={() => {
                    state.setNotice(t("executions.replayed"));
                    void executionsApi.get(execution.id).then(state.setExecution);
                  }}
                />
              )}
            </div>
          </aside>
        </div>
      </div>
    </EditorContext.Provider>
  );
}
