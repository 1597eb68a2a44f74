/**
 * The flow document ↔ canvas conversion. The canvas keeps each document node (all its fields) in
 * its React Flow node's `data`, so writing the document back loses nothing: key order, labels,
 * retry policies and unknown fields survive, and a node that had no `position` gets none unless
 * it is moved. The trigger is the canvas node with id "trigger"; it keeps its `position` in the
 * document the same way (optional: a trigger without one is put left of the nodes it starts).
 */
import type { Edge, Node } from "@xyflow/react";
import type { FlowDocument, FlowEdge, FlowNode, Position, Trigger } from "../api/types";
import { layeredLayout } from "./layout";

export const TRIGGER_ID = "trigger";
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;

export interface TriggerData extends Record<string, unknown> {
  kind: "trigger";
  /** The document's trigger as loaded or edited; its `position` is stale (the canvas node's is current). */
  trigger: Trigger;
  /** Whether the document carries a position for it (it had one, or it was moved). */
  positioned: boolean;
}

export interface StepData extends Record<string, unknown> {
  kind: "step";
  /** The document node as loaded or edited; its `position` is stale (the canvas node's is current). */
  node: FlowNode;
  /** Whether the document carries a position for it (it had one, or it was placed or moved). */
  positioned: boolean;
}

export type CanvasNodeData = TriggerData | StepData;
export type CanvasNode = Node<CanvasNodeData>;
export interface EdgeData extends Record<string, unknown> {
  edge: FlowEdge;
}
export type CanvasEdge = Edge<EdgeData>;

/** The document minus its nodes and edges (which live on the canvas), in its own key order. */
export type DocumentMeta = Omit<FlowDocument, "nodes" | "edges"> & { nodes: []; edges: [] };

export interface Canvas {
  meta: DocumentMeta;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export function edgeId(edge: FlowEdge): string {
  return `${edge.from}->${edge.to}${edge.branch ? `:${edge.branch}` : ""}`;
}

export function canvasEdge(edge: FlowEdge): CanvasEdge {
  return {
    id: edgeId(edge),
    source: edge.from,
    target: edge.to,
    sourceHandle: edge.branch ?? null,
    type: edge.branch ? "branch" : "default",
    data: { edge },
  };
}

export function stepNode(node: FlowNode, position: Position, positioned: boolean): CanvasNode {
  return {
    id: node.id,
    type: node.type,
    position: { x: position.x, y: position.y },
    data: { kind: "step", node, positioned },
  };
}

/** Where the trigger sits: left of the nodes it starts (or of everything), vertically centred on them. */
export function triggerPosition(nodes: { id: string; position: Position }[], edges: FlowEdge[]): Position {
  if (nodes.length === 0) return { x: 0, y: 0 };
  const firsts = new Set(edges.filter((e) => e.from === TRIGGER_ID).map((e) => e.to));
  const around = nodes.filter((n) => firsts.has(n.id));
  const anchor = around.length ? around : nodes;
  const minX = Math.min(...nodes.map((n) => n.position.x));
  const y = anchor.reduce((sum, n) => sum + n.position.y, 0) / anchor.length;
  return { x: minX - NODE_WIDTH - 80, y };
}

export function toCanvas(document: FlowDocument): Canvas {
  const { nodes = [], edges = [], ...rest } = document;
  const meta = { ...document, ...rest, nodes: [], edges: [] } as DocumentMeta;
  const missing = nodes.filter((node) => !isPosition(node.position));
  const laidOut = missing.length ? layeredLayout(nodes, edges) : new Map<string, Position>();
  const canvasNodes: CanvasNode[] = nodes.map((node) =>
    isPosition(node.position)
      ? stepNode(node, node.position, true)
      : stepNode(node, laidOut.get(node.id) ?? { x: 0, y: 0 }, false),
  );
  const placed = isPosition(document.trigger.position);
  const trigger: CanvasNode = {
    id: TRIGGER_ID,
    type: "trigger",
    position: placed ? { ...(document.trigger.position as Position) } : triggerPosition(canvasNodes, edges),
    deletable: false,
    data: { kind: "trigger", trigger: document.trigger, positioned: placed },
  };
  return { meta, nodes: [trigger, ...canvasNodes], edges: edges.map(canvasEdge) };
}

export function fromCanvas(meta: DocumentMeta, nodes: CanvasNode[], edges: CanvasEdge[]): FlowDocument {
  let trigger = meta.trigger;
  const documentNodes: FlowNode[] = [];
  for (const canvasNode of nodes) {
    const data = canvasNode.data;
    if (data.kind === "trigger") {
      trigger = data.positioned ? withPosition(data.trigger, canvasNode.position) : data.trigger;
      continue;
    }
    documentNodes.push(data.positioned ? withPosition(data.node, canvasNode.position) : data.node);
  }
  const documentEdges: FlowEdge[] = edges.map((edge) => {
    const original = edge.data?.edge;
    const branch = edge.sourceHandle === "true" || edge.sourceHandle === "false" ? edge.sourceHandle : undefined;
    if (original && original.from === edge.source && original.to === edge.target && original.branch === branch)
      return original;
    return branch ? { from: edge.source, to: edge.target, branch } : { from: edge.source, to: edge.target };
  });
  return { ...meta, trigger, nodes: documentNodes, edges: documentEdges } as FlowDocument;
}

/** `item` with the canvas position; spreading keeps `position` (and its x/y) where the loaded item had them, so key order survives too. */
function withPosition<T extends { position?: unknown }>(item: T, { x, y }: Position): T {
  const had = item.position as Position | undefined;
  const position = had && had.x === x && had.y === y ? had : { ...had, x, y };
  return { ...item, position };
}

function isPosition(value: unknown): value is Position {
  return (
    !!value &&
    typeof value === "object" &&
    typeof (value as Position).x === "number" &&
    typeof (value as Position).y === "number"
  );
}

/** A node id for a new node: readable, unique, and within the document's id pattern. */
export function newNodeId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let stem = base.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^[^A-Za-z]+/, "");
  if (!stem) stem = "node";
  stem = stem.slice(0, 56);
  if (!used.has(stem) && stem !== TRIGGER_ID) return stem;
  for (let n = 2; ; n += 1) {
    const id = `${stem}_${n}`;
    if (!used.has(id)) return id;
  }
}

/** The ids of nodes that run before `nodeId` (its ancestors), so their outputs are in `steps`. */
export function ancestorsOf(nodeId: string, edges: FlowEdge[]): string[] {
  const parents = new Map<string, string[]>();
  for (const edge of edges) parents.set(edge.to, [...(parents.get(edge.to) ?? []), edge.from]);
  const seen = new Set<string>();
  const stack = [...(parents.get(nodeId) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || id === nodeId) continue;
    seen.add(id);
    stack.push(...(parents.get(id) ?? []));
  }
  seen.delete(TRIGGER_ID);
  return [...seen];
}
