/** Auto-layout: dagre's layered layout, left to right, trigger first. */
import dagre from "@dagrejs/dagre";
import type { FlowEdge, FlowNode, Position } from "../api/types";

const WIDTH = 220;
const HEIGHT = 72;

export function layeredLayout(
  nodes: Pick<FlowNode, "id">[],
  edges: FlowEdge[],
  includeTrigger = false,
): Map<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  graph.setNode("trigger", { width: WIDTH, height: HEIGHT });
  for (const node of nodes) graph.setNode(node.id, { width: WIDTH, height: HEIGHT });
  for (const edge of edges) {
    if ((ids.has(edge.from) || edge.from === "trigger") && ids.has(edge.to)) graph.setEdge(edge.from, edge.to);
  }
  dagre.layout(graph);
  const positions = new Map<string, Position>();
  for (const id of [...(includeTrigger ? ["trigger"] : []), ...ids]) {
    const placed = graph.node(id);
    if (placed) positions.set(id, { x: Math.round(placed.x - WIDTH / 2), y: Math.round(placed.y - HEIGHT / 2) });
  }
  return positions;
}
