"""What changed between two flow documents: nodes, edges, trigger, name and description.

Nodes are matched by id. A changed node lists its changed fields; inside ``params``, ``retry`` and
``position`` the changed keys are named (``params.sku``). Edges are compared as
``(from, to, branch)``. A masked webhook secret only shows as ``hmac_secret`` in the trigger's
changed fields, never its value.
"""

_NESTED = ("params", "retry", "position")


def _changed_fields(old: dict, new: dict, nested: tuple[str, ...] = ()) -> list[str]:
    fields: list[str] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in nested and isinstance(before, dict | None) and isinstance(after, dict | None):
            fields.extend(f"{key}.{sub}" for sub in _changed_fields(before or {}, after or {}))
        else:
            fields.append(key)
    return fields


def _nodes(document: dict) -> dict[str, dict]:
    nodes = document.get("nodes") if isinstance(document, dict) else None
    result: dict[str, dict] = {}
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            result.setdefault(node["id"], node)
    return result


def _edges(document: dict) -> list[dict]:
    edges = document.get("edges") if isinstance(document, dict) else None
    found: list[dict] = []
    for edge in edges if isinstance(edges, list) else []:
        if isinstance(edge, dict):
            key = {"from": edge.get("from"), "to": edge.get("to")}
            if "branch" in edge:
                key["branch"] = edge["branch"]
            if key not in found:
                found.append(key)
    return found


def document_diff(old: dict, new: dict) -> dict:
    """The difference from ``old`` to ``new``, in document order of ``new`` (then ``old``)."""
    old_nodes, new_nodes = _nodes(old), _nodes(new)
    old_edges, new_edges = _edges(old), _edges(new)
    trigger_fields = _changed_fields(_trigger(old), _trigger(new), nested=("for_each",))
    return {
        "name_changed": old.get("name") != new.get("name"),
        "description_changed": old.get("description") != new.get("description"),
        "trigger": {"changed": bool(trigger_fields), "fields": trigger_fields},
        "nodes": {
            "added": [node_id for node_id in new_nodes if node_id not in old_nodes],
            "removed": [node_id for node_id in old_nodes if node_id not in new_nodes],
            "changed": [
                {"id": node_id, "fields": _changed_fields(old_nodes[node_id], node, nested=_NESTED)}
                for node_id, node in new_nodes.items()
                if node_id in old_nodes and old_nodes[node_id] != node
            ],
        },
        "edges": {
            "added": [edge for edge in new_edges if edge not in old_edges],
            "removed": [edge for edge in old_edges if edge not in new_edges],
        },
    }


def _trigger(document: dict) -> dict:
    trigger = document.get("trigger")
    return trigger if isinstance(trigger, dict) else {}
