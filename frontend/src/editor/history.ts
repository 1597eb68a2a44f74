/** The editor's canvas state with undo and redo. */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import { useCallback, useRef, useState } from "react";
import type { Canvas, CanvasEdge, CanvasNode } from "./document";

const LIMIT = 100;
const COALESCE_MS = 1500;

export interface CanvasHistory {
  canvas: Canvas;
  /** Changes the canvas; `record` makes it one undo step (edits with the same `coalesce` key within 1.5 s are one step). */
  update: (change: (canvas: Canvas) => Canvas, options?: { record?: boolean; coalesce?: string }) => void;
  /** Marks the current state as an undo point (before a drag, before a batch of removals). */
  checkpoint: () => void;
  reset: (canvas: Canvas) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onNodesChange: (changes: NodeChange<CanvasNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<CanvasEdge>[]) => void;
}

/** Restoring a snapshot keeps each node's current measured size, so React Flow need not measure again. */
function withMeasures(snapshot: Canvas, current: Canvas): Canvas {
  const measured = new Map(current.nodes.map((n) => [n.id, n.measured]));
  const selected = new Set(current.nodes.filter((n) => n.selected).map((n) => n.id));
  return {
    ...snapshot,
    nodes: snapshot.nodes.map((n) => ({
      ...n,
      measured: measured.get(n.id) ?? n.measured,
      selected: selected.has(n.id),
    })),
  };
}

export function useCanvasHistory(initial: Canvas): CanvasHistory {
  const [canvas, setCanvas] = useState(initial);
  const current = useRef(initial);
  const past = useRef<Canvas[]>([]);
  const future = useRef<Canvas[]>([]);
  const lastCoalesce = useRef<{ key: string; at: number } | null>(null);
  const batchRecorded = useRef(false);
  const [, setVersion] = useState(0);

  const set = useCallback((next: Canvas) => {
    current.current = next;
    setCanvas(next);
  }, []);

  const push = useCallback((snapshot: Canvas) => {
    past.current.push(snapshot);
    if (past.current.length > LIMIT) past.current.shift();
    future.current = [];
    setVersion((v) => v + 1);
  }, []);

  const checkpoint = useCallback(() => {
    lastCoalesce.current = null;
    push(current.current);
  }, [push]);

  const update = useCallback<CanvasHistory["update"]>(
    (change, options = {}) => {
      const previous = current.current;
      const next = change(previous);
      if (next === previous) return;
      if (options.record !== false) {
        const now = Date.now();
        const same =
          options.coalesce &&
          lastCoalesce.current?.key === options.coalesce &&
          now - lastCoalesce.current.at < COALESCE_MS;
        if (!same) push(previous);
        lastCoalesce.current = options.coalesce ? { key: options.coalesce, at: now } : null;
      }
      set(next);
    },
    [push, set],
  );

  /** One undo step per batch of removals, however many node and edge changes React Flow sends. */
  const recordBatchOnce = useCallback(() => {
    if (batchRecorded.current) return;
    batchRecorded.current = true;
    checkpoint();
    queueMicrotask(() => {
      batchRecorded.current = false;
    });
  }, [checkpoint]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      if (changes.some((c) => c.type === "remove")) recordBatchOnce();
      const previous = current.current;
      let nodes = applyNodeChanges(changes, previous.nodes);
      // A node dropped after a drag now has a position the document must keep.
      const moved = new Set(
        changes.filter((c) => c.type === "position" && c.dragging === false).map((c) => (c as { id: string }).id),
      );
      if (moved.size) {
        nodes = nodes.map((n) =>
          moved.has(n.id) && !n.data.positioned ? { ...n, data: { ...n.data, positioned: true } } : n,
        );
      }
      set({ ...previous, nodes });
    },
    [recordBatchOnce, set],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<CanvasEdge>[]) => {
      if (changes.some((c) => c.type === "remove")) recordBatchOnce();
      const previous = current.current;
      set({ ...previous, edges: applyEdgeChanges(changes, previous.edges) });
    },
    [recordBatchOnce, set],
  );

  const undo = useCallback(() => {
    const snapshot = past.current.pop();
    if (!snapshot) return;
    future.current.push(current.current);
    lastCoalesce.current = null;
    set(withMeasures(snapshot, current.current));
    setVersion((v) => v + 1);
  }, [set]);

  const redo = useCallback(() => {
    const snapshot = future.current.pop();
    if (!snapshot) return;
    past.current.push(current.current);
    lastCoalesce.current = null;
    set(withMeasures(snapshot, current.current));
    setVersion((v) => v + 1);
  }, [set]);

  const reset = useCallback(
    (next: Canvas) => {
      past.current = [];
      future.current = [];
      lastCoalesce.current = null;
      set(next);
      setVersion((v) => v + 1);
    },
    [set],
  );

  return {
    canvas,
    update,
    checkpoint,
    reset,
    undo,
    redo,
    canUndo: past.current.length > 0,
    canRedo: future.current.length > 0,
    onNodesChange,
    onEdgesChange,
  };
}
