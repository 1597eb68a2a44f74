/** The canvas: the flow's nodes and edges, dropping palette items on it, and the "+" palette opened from an output. */
import { Background, Controls, MiniMap, ReactFlow, type Edge } from "@xyflow/react";
import { useI18n } from "../i18n/i18n";
import type { CanvasNode } from "./document";
import { nodeTypes } from "./nodes";
import { PALETTE_MIME } from "./Palette";
import { QuickAdd } from "./QuickAdd";
import type { EditorState } from "./useEditorState";

export function EditorCanvas({ state, readOnly }: { state: EditorState; readOnly: boolean }) {
  const { t } = useI18n();
  const { history, canvas } = state;
  return (
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
      {state.adding && (
        <QuickAdd
          at={state.adding}
          onAdd={(item, after) => state.addItem(item, undefined, after)}
          onClose={() => state.setAdding(null)}
        />
      )}
    </div>
  );
}
