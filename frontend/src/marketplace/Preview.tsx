/** The editor's canvas, read-only: a template's flow as it will look once installed, or an update's diff. */
import { Background, Controls, ReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import type { Catalog, FlowDocument } from "../api/types";
import { EditorContext, type EditorContextValue } from "../editor/context";
import { toCanvas, type CanvasNode } from "../editor/document";
import "../editor/editor.css";
import { nodeTypes } from "../editor/nodes";
import { useI18n } from "../i18n/i18n";

export function Preview({
  document,
  catalog,
  diff = null,
}: {
  document: FlowDocument;
  catalog: Catalog;
  diff?: { added: string[]; changed: string[] } | null;
}) {
  const { t } = useI18n();
  const canvas = useMemo(() => toCanvas(document), [document]);
  const context = useMemo<EditorContextValue>(
    () => ({
      catalog,
      actions: new Map(catalog.actions.map((action) => [action.key, action])),
      problems: new Map(),
      readOnly: true,
      trace: null,
      diff: diff ? { added: new Set(diff.added), changed: new Set(diff.changed) } : null,
    }),
    [catalog, diff],
  );
  return (
    <EditorContext.Provider value={context}>
      <div className="market-preview" data-testid="template-preview" aria-label={t("market.readOnlyHint")}>
        <ReactFlow<CanvasNode, Edge>
          nodes={canvas.nodes}
          edges={canvas.edges}
          nodeTypes={nodeTypes}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={20} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </EditorContext.Provider>
  );
}
