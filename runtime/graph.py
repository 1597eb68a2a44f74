"""How a flow document's graph is walked.

Nodes run one at a time in a topological order (ties broken by their order in the document), so
a run is deterministic and a resumed run takes the same path. A node runs when at least one of
its incoming edges is *taken*: an edge from ``trigger`` always is, an edge from an action is once
that action succeeded, an edge from a condition is when the condition's decision matches the
edge's ``branch``. A node none of whose edges is taken is skipped.
"""

import heapq
from dataclasses import dataclass

from core.cache import BoundedCache

TRIGGER = "trigger"
DONE = "done"


@dataclass(frozen=True)
class Plan:
    nodes: dict[str, dict]
    order: tuple[str, ...]
    incoming: dict[str, tuple[tuple[str, str | None], ...]]

    def reached(self, node_id: str, states: dict) -> bool:
        """Whether ``node_id`` runs, given ``states`` (a condition's decision, or ``DONE`` for an action)."""
        for source, branch in self.incoming.get(node_id, ()):
            if source == TRIGGER:
                return True
            state = states.get(source)
            if state is None:
                continue
            if branch is None:
                if state == DONE or state is True or state is False:
                    return True
            elif state is (branch == "true"):
                return True
        return False


def compile_plan(document: dict) -> Plan:
    """The plan of a (valid) document."""
    nodes = {node["id"]: node for node in document["nodes"]}
    position = {node_id: i for i, node_id in enumerate(nodes)}
    incoming: dict[str, list[tuple[str, str | None]]] = {node_id: [] for node_id in nodes}
    successors: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for edge in document["edges"]:
        source, target = edge["from"], edge["to"]
        if target not in nodes:
            continue
        incoming[target].append((source, edge.get("branch")))
        if source in nodes:
            successors[source].append(target)
            indegree[target] += 1
    ready = [(position[n], n) for n, degree in indegree.items() if degree == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _pos, node_id = heapq.heappop(ready)
        order.append(node_id)
        for nxt in successors[node_id]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (position[nxt], nxt))
    return Plan(nodes=nodes, order=tuple(order), incoming={k: tuple(v) for k, v in incoming.items()})


# Bounded: a long-lived worker sees every version ever published.
_plans: BoundedCache[Plan] = BoundedCache(maxsize=2048)


def plan_for_version(version) -> Plan:
    """The plan of a published version, cached per process (versions never change; the checksum
    keys it too, so an id reused after a rolled-back publish cannot hit another document's plan)."""
    key = (version.pk, version.checksum)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans.put(key, compile_plan(version.document))
    return plan
