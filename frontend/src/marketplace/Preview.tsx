/** The editor's canvas, read-only: a template's flow as it will look once installed, or an update's diff. */
import { Background, Controls, ReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import type { Catalog, FlowDocument } from "../api/types";
import { EditorContext, type EditorContextValue } from "../editor/context";
import { toCanvas, type CanvasNode } from "../editor/document";
import "../editor/editor.css";
import { uniqueLabels } from "../editor/fields/template";
import { contextSchemaOf, fieldsFor } from "../editor/flowContext";
import { nodeTypes } from "../editor/nodes";
import { nodeTitle } from "../editor/titles";
import { schemaPaths } from "../editor/variables";
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
  const { t, pick, language } = useI18n();
  const canvas = useMemo(() => toCanvas(document), [document]);
  // The same titled fields and chip labels the editor gives its nodes, so the preview reads alike.
  const context = useMemo<EditorContextValue>(() => {
    const actions = new Map(catalog.actions.map((action) => [action.key, action]));
    const fields = fieldsFor(document.trigger, catalog);
    const labels = uniqueLabels(
      schemaPaths(contextSchemaOf(document.trigger, catalog)).map((v) => ({
        path: v.path,
        label: pick(v.label, v.path),
      })),
    );
    return {
      catalog,
      actions,
      problems: new Map(),
      readOnly: true,
      trace: null,
      diff: diff ? { added: new Set(diff.added), changed: new Set(diff.changed) } : null,
      fields,
      labels,
      titleOf: (id) => {
        const node = document.nodes.find((n) => n.id === id);
        return node ? nodeTitle(node, actions, fields, language, labels) : id;
      },
    };
  }, [catalog, diff, document, pick, language]);
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
