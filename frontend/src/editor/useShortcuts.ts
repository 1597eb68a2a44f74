/** The editor's keyboard shortcuts: undo, redo, copy and paste of steps, save. */
import { useCallback, useEffect } from "react";
import type { FlowEdge, FlowNode } from "../api/types";
import { canvasEdge, newNodeId, stepNode } from "./document";
import type { CanvasHistory } from "./history";

// Module-wide, so steps copied in one flow can be pasted into another.
let clipboard: { nodes: FlowNode[]; edges: FlowEdge[]; positions: Map<string, { x: number; y: number }> } | null = null;

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName);
}

export function useShortcuts({
  history,
  readOnly,
  save,
}: {
  history: CanvasHistory;
  readOnly: boolean;
  save: () => Promise<void>;
}): void {
  const { update } = history;

  const copy = useCallback(() => {
    const nodes = history.canvas.nodes.filter((n) => n.selected && n.data.kind === "step");
    if (!nodes.length) return;
    const ids = new Set(nodes.map((n) => n.id));
    clipboard = {
      nodes: nodes.map((n) => (n.data.kind === "step" ? n.data.node : (null as never))),
      edges: history.canvas.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => e.data!.edge),
      positions: new Map(nodes.map((n) => [n.id, n.position])),
    };
  }, [history.canvas]);

  const paste = useCallback(() => {
    if (!clipboard || readOnly) return;
    const taken = history.canvas.nodes.map((n) => n.id);
    const ids = new Map<string, string>();
    for (const node of clipboard.nodes) {
      const id = newNodeId(node.id, [...taken, ...ids.values()]);
      ids.set(node.id, id);
    }
    const pasted = clipboard.nodes.map((node) => {
      const at = clipboard!.positions.get(node.id)!;
      const position = { x: at.x + 40, y: at.y + 40 };
      return { ...stepNode({ ...node, id: ids.get(node.id)!, position } as FlowNode, position, true), selected: true };
    });
    const edges = clipboard.edges.map((e) => canvasEdge({ ...e, from: ids.get(e.from)!, to: ids.get(e.to)! }));
    update((c) => ({
      ...c,
      nodes: [...c.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
      edges: [...c.edges, ...edges],
    }));
  }, [history.canvas.nodes, readOnly, update]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target)) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey && !readOnly) history.undo();
      else if (((key === "z" && event.shiftKey) || key === "y") && !readOnly) history.redo();
      else if (key === "c") copy();
      else if (key === "v") paste();
      else if (key === "s") void save();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [copy, history, paste, readOnly, save]);
}
