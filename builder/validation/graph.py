"""The graph of a (schema-valid) document: node ids, edges, cycles and reachability from the trigger.

- node ids are unique and none is called ``trigger`` (the id edges start from);
- edges join existing nodes, none leads into ``trigger``, none is repeated;
- a condition's out-edges carry ``branch`` ``"true"``/``"false"`` (fan-out allowed); no other edge does;
- the graph is acyclic and every node is reachable from ``trigger``.
"""

from collections import deque
from dataclasses import dataclass, field

from . import messages
from .problems import TRIGGER_ID, Problems


@dataclass
class Graph:
    """The nodes by id (their index in ``nodes``) and the usable edges, both ways."""

    nodes: list[dict]
    index: dict[str, int] = field(default_factory=dict)
    successors: dict[str, list[str]] = field(default_factory=dict)
    predecessors: dict[str, list[str]] = field(default_factory=dict)

    def node(self, node_id: str) -> dict | None:
        i = self.index.get(node_id)
        return self.nodes[i] if i is not None else None

    def ancestors(self, node_id: str) -> set[str]:
        """The nodes that run before ``node_id`` on some path from the trigger (the trigger excluded)."""
        found: set[str] = set()
        queue = deque(self.predecessors.get(node_id, ()))
        while queue:
            current = queue.popleft()
            if current in found or current == TRIGGER_ID:
                continue
            found.add(current)
            queue.extend(self.predecessors.get(current, ()))
        return found


def graph_check(document: dict, problems: Problems) -> Graph:
    """The document's graph, with every problem of its ids, edges and shape added to ``problems``."""
    graph = Graph(nodes=document["nodes"])
    _check_ids(graph, problems)
    _check_edges(graph, document["edges"], problems)
    _check_shape(graph, document["edges"], problems)
    return graph


def _check_ids(graph: Graph, problems: Problems) -> None:
    for i, node in enumerate(graph.nodes):
        node_id = node["id"]
        if node_id == TRIGGER_ID:
            problems.add(
                "reserved_node_id",
                "'trigger' is the trigger's id; name the node otherwise",
                None,
                "nodes",
                i,
                "id",
                message=messages.reserved_node_id(),
            )
        elif node_id in graph.index:
            first = graph.index[node_id]
            problems.add(
                "duplicate_node_id",
                f"node id {node_id!r} is also used by /nodes/{first}",
                node_id,
                "nodes",
                i,
                "id",
                message=messages.duplicate_node_id(node_id),
            )
        else:
            graph.index[node_id] = i
    if not graph.nodes:
        problems.add("empty_flow", "the flow has no nodes", None, "nodes", message=messages.empty_flow())


def _check_edges(graph: Graph, edges: list[dict], problems: Problems) -> None:
    known = set(graph.index) | {TRIGGER_ID}
    seen: dict[tuple, int] = {}
    for node_id in known:
        graph.successors[node_id] = []
        graph.predecessors[node_id] = []
    for j, edge in enumerate(edges):
        source, target, branch = edge["from"], edge["to"], edge.get("branch")
        usable = True
        if source not in known:
            at = target if target in graph.index else None
            problems.add(
                "dangling_edge",
                f"edge starts at {source!r}, which is no node",
                at,
                "edges",
                j,
                "from",
                message=messages.dangling_edge(),
            )
            usable = False
        if target not in known:
            at = source if source in known else None
            problems.add(
                "dangling_edge",
                f"edge leads to {target!r}, which is no node",
                at,
                "edges",
                j,
                "to",
                message=messages.dangling_edge(),
            )
            usable = False
        if target == TRIGGER_ID:
            at = source if source in known else None
            problems.add(
                "edge_into_trigger",
                "no edge may lead into the trigger",
                at,
                "edges",
                j,
                "to",
                message=messages.edge_into_trigger(),
            )
            usable = False
        source_node = graph.node(source)
        if source_node is not None and source_node["type"] == "condition":
            if branch is None:
                message = f'an edge from condition {source!r} needs "branch": "true" or "false"'
                said = messages.missing_branch(messages.node_name(source_node))
                problems.add("missing_branch", message, source, "edges", j, "branch", message=said)
        elif branch is not None and source in known:
            message = f"only edges from a condition carry a branch; {source!r} is not a condition"
            said = messages.unexpected_branch(messages.node_name(graph.node(source), source))
            problems.add("unexpected_branch", message, source, "edges", j, "branch", message=said)
        key = (source, target, branch)
        if key in seen:
            at = source if source in known else None
            problems.add(
                "duplicate_edge",
                f"the same edge as /edges/{seen[key]}",
                at,
                "edges",
                j,
                message=messages.duplicate_edge(),
            )
            usable = False
        seen[key] = j
        if usable:
            graph.successors[source].append(target)
            graph.predecessors[target].append(source)


def _check_shape(graph: Graph, edges: list[dict], problems: Problems) -> None:
    for component in _cycles(graph.successors):
        ordered = sorted(component, key=lambda n: graph.index.get(n, -1))
        members = set(component)
        closing = next(j for j, e in enumerate(edges) if e["from"] in members and e["to"] in members)
        message = f"nodes {', '.join(ordered)} form a cycle; a flow is a directed acyclic graph"
        said = messages.cycle([messages.node_name(graph.node(n), n) for n in ordered])
        problems.add("cycle", message, ordered[0], "edges", closing, message=said)
    reached = {TRIGGER_ID}
    queue = deque([TRIGGER_ID])
    while queue:
        for nxt in graph.successors[queue.popleft()]:
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    for node_id, i in graph.index.items():
        if node_id not in reached:
            message = f"node {node_id!r} cannot be reached from the trigger"
            said = messages.unreachable_node(messages.node_name(graph.node(node_id), node_id))
            problems.add("unreachable_node", message, node_id, "nodes", i, message=said)


def _cycles(successors: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components that contain a cycle (Tarjan, iterative), in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in successors:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            current, child = work.pop()
            if child == 0:
                index[current] = low[current] = counter
                counter += 1
                stack.append(current)
                on_stack.add(current)
            children = successors.get(current, [])
            if child < len(children):
                work.append((current, child + 1))
                nxt = children[child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[current] = min(low[current], index[nxt])
                continue
            if low[current] == index[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == current:
                        break
                if len(component) > 1 or current in successors.get(current, []):
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[current])
    return found
