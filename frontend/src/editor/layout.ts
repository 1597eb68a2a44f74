/** Auto-layout: dagre's layered layout, left to right, trigger first; a condition's "yes" side above its "no" side. */
import dagre from "@dagrejs/dagre";
import type { FlowEdge, FlowNode, Position } from "../api/types";

const WIDTH = 220;
const HEIGHT = 72;

/** The nodes reachable from `start` (itself included). */
function reach(start: string, edges: FlowEdge[]): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of edges) if (e.from === id) todo.push(e.to);
  }
  return seen;
}

/**
 * Puts each condition's "yes" side above its "no" side, so the two branches never cross: when the
 * nodes only the yes branch reaches sit lower than those only the no branch reaches, the two bands
 * swap places.
 */
export function untangleBranches(positions: Map<string, Position>, edges: FlowEdge[]): Map<string, Position> {
  const out = new Map(positions);
  const conditions = [...new Set(edges.filter((e) => e.branch).map((e) => e.from))];
  for (const id of conditions) {
    const yes = new Set<string>();
    const no = new Set<string>();
    for (const e of edges.filter((x) => x.from === id && x.branch === "true"))
      reach(e.to, edges).forEach((n) => yes.add(n));
    for (const e of edges.filter((x) => x.from === id && x.branch === "false"))
      reach(e.to, edges).forEach((n) => no.add(n));
    const onlyYes = [...yes].filter((n) => !no.has(n) && out.has(n));
    const onlyNo = [...no].filter((n) => !yes.has(n) && out.has(n));
    if (!onlyYes.length || !onlyNo.length) continue;
    const top = (ids: string[]) => Math.min(...ids.map((n) => out.get(n)!.y));
    const yesTop = top(onlyYes);
    const noTop = top(onlyNo);
    if (yesTop <= noTop) continue;
    const yesSpan = Math.max(...onlyYes.map((n) => out.get(n)!.y)) - yesTop;
    for (const n of onlyYes) out.set(n, { ...out.get(n)!, y: out.get(n)!.y - yesTop + noTop });
    for (const n of onlyNo) out.set(n, { ...out.get(n)!, y: out.get(n)!.y + yesSpan + HEIGHT + 40 });
  }
  return out;
}

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
  // Yes edges first: dagre keeps the order it is given where it can.
  const ordered = [...edges].sort((a, b) => (a.branch === "false" ? 1 : 0) - (b.branch === "false" ? 1 : 0));
  for (const edge of ordered) {
    if ((ids.has(edge.from) || edge.from === "trigger") && ids.has(edge.to)) graph.setEdge(edge.from, edge.to);
  }
  dagre.layout(graph);
  const positions = new Map<string, Position>();
  for (const id of [...(includeTrigger ? ["trigger"] : []), ...ids]) {
    const placed = graph.node(id);
    if (placed) positions.set(id, { x: Math.round(placed.x - WIDTH / 2), y: Math.round(placed.y - HEIGHT / 2) });
  }
  return untangleBranches(positions, edges);
}
