"""References into the context: a rule's ``var`` paths and a template's ``{{ … }}`` placeholders.

A path names something in the trigger's context schema, or ``steps.<id>…`` of a node that runs
before the node that reads it (within that action's output schema).
"""

from dataclasses import dataclass

from .. import catalog
from . import messages
from .graph import Graph
from .problems import Problems
from .triggers import trigger_label


@dataclass
class Scope:
    """What a node's references are checked against, and where their problems go.

    ``context`` is the trigger's context schema; ``None`` (an unknown event, or a rule checked on
    its own) skips the context checks.
    """

    problems: Problems
    graph: Graph
    trigger: dict
    context: dict | None
    document: dict | None = None  # for the messages' field titles

    def check_reference(self, path: tuple[str, ...], node: dict, where: tuple, *, allow_length: bool) -> None:
        if self.context is None:
            return
        dotted = ".".join(path)
        field = messages.field_title(self.document, list(where))
        if path[0] == "steps" and len(path) > 1:
            if path[1] not in self.graph.ancestors(node["id"]):
                message = f"{dotted}: {path[1]!r} is not a node that runs before {node['id']!r}"
                said = messages.step_not_before(field, messages.node_name(self.graph.node(path[1]), path[1]))
                self.problems.add("unknown_reference", message, node["id"], *where, message=said)
                return
            source = self.graph.node(path[1])
            output = {"type": "object"}
            if source is not None and source["type"] == "action":
                spec = catalog.action_spec(source["action"])
                output = spec.output_schema if spec is not None else output
            if not resolves(output, path[2:], allow_length=allow_length):
                message = f"{dotted} is not in the output of {path[1]!r}"
                step = messages.node_name(self.graph.node(path[1]), path[1])
                said = messages.not_in_step_output(field, ".".join(path[2:]), step)
                self.problems.add("unknown_reference", message, node["id"], *where, message=said)
            return
        if not resolves(self.context, path, allow_length=allow_length):
            message = f"{dotted} is not in the context of {trigger_label(self.trigger)}"
            said = messages.unknown_context_path(field, dotted, self.trigger)
            self.problems.add("unknown_reference", message, node["id"], *where, message=said)


def resolves(node_schema, path, *, allow_length: bool = False) -> bool:
    """Whether ``path`` can exist in a value described by ``node_schema``.

    An object without ``additionalProperties: false`` (or with no declared properties) accepts any
    path below it, so loosely declared objects never give false alarms; ``length`` is accepted on
    lists and strings when ``allow_length`` (JsonLogic's ``var`` reads it).
    """
    if node_schema is True or node_schema == {}:
        return True
    if not isinstance(node_schema, dict):
        return False
    if not path:
        return True
    for key in ("anyOf", "oneOf"):
        if key in node_schema:
            return any(resolves(branch, path, allow_length=allow_length) for branch in node_schema[key])
    declared = node_schema.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} if declared else None
    head, rest = path[0], path[1:]
    if types is None and "properties" not in node_schema and "items" not in node_schema:
        return True
    if types is None or "object" in types:
        properties = node_schema.get("properties", {})
        if head in properties:
            return resolves(properties[head], rest, allow_length=allow_length)
        additional = node_schema.get("additionalProperties", True)
        if isinstance(additional, dict) and additional:
            return resolves(additional, rest, allow_length=allow_length)
        if additional is not False:
            return True
    if types is not None and "array" in types:
        if head.isdigit():
            return resolves(node_schema.get("items", {}), rest, allow_length=allow_length)
        if head == "length" and allow_length and not rest:
            return True
    if types is not None and "string" in types and head == "length" and allow_length and not rest:
        return True
    return False
