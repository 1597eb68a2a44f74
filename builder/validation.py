"""Validation of a flow document: every problem, each with its node id and a JSON pointer.

``validate_document(doc)`` runs two layers. First the size cap and the JSON Schema
(``schema.DOCUMENT_SCHEMA``); a document that fails them gets only those problems, since the
semantic layer needs the shape to be right. Then the semantic checks:

- node ids unique, none called ``trigger`` (the id edges start from);
- edges between existing nodes, none into ``trigger``, no duplicate edge;
- the graph is acyclic and every node is reachable from ``trigger``;
- a condition's out-edges carry ``branch`` ``"true"``/``"false"`` (fan-out allowed); no other edge does;
- actions are in the catalog and their ``params`` pass the action's params schema;
- rules are well-formed JsonLogic with known operators, and their ``var`` paths exist in the context;
- ``{{ … }}`` templates in string params parse and name paths of the trigger's context, or
  ``steps.<id>`` of a node that runs before;
- event triggers name a known domain event; schedules have a valid cron and IANA time zone.

The returned list is empty for a valid document. Nothing here touches the database.
"""

import json
import zoneinfo
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from croniter import CroniterBadDateError, croniter
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from . import catalog, events, jsonlogic, schema
from .templating_grammar import Placeholder as TemplatePlaceholder
from .templating_grammar import TemplateSyntaxError, parse_template

MAX_PROBLEMS = 200
TRIGGER_ID = "trigger"
CRON_MACROS = frozenset({"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document. ``pointer`` is an RFC 6901 JSON pointer into it ("" = root)."""

    code: str
    message: str
    node_id: str | None
    pointer: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "node_id": self.node_id, "pointer": self.pointer}


def pointer(*parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- layer 1: size and schema ----------------------------------------------------------------

_document_validator = Draft202012Validator(schema.DOCUMENT_SCHEMA)

_SCHEMA_CODES = {
    "required": "missing_field",
    "additionalProperties": "unexpected_field",
    "type": "wrong_type",
    "enum": "not_allowed",
    "const": "not_allowed",
    "pattern": "bad_format",
    "minLength": "out_of_range",
    "maxLength": "out_of_range",
    "minimum": "out_of_range",
    "maximum": "out_of_range",
    "minItems": "out_of_range",
    "maxItems": "out_of_range",
    "uniqueItems": "duplicate_item",
}


def _schema_error_locations(error: SchemaError) -> list[tuple[list, str, str]]:
    """Where an error is, what to say and its code; a missing or unexpected key gets its own path."""
    path = list(error.absolute_path)
    code = _SCHEMA_CODES.get(error.validator, "invalid")
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance and error.message == f"{key!r} is a required property":
                return [([*path, key], f"'{key}' is required", code)]
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        listed = ", ".join(sorted(allowed))
        extra = sorted(key for key in instance if key not in allowed)
        if extra:
            return [([*path, key], f"'{key}' is not allowed here (allowed: {listed})", code) for key in extra]
    if error.validator == "const":
        return [(path, f"must be {error.validator_value!r}", code)]
    if error.validator == "enum":
        return [(path, f"{instance!r} is not one of {', '.join(map(str, error.validator_value))}", code)]
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return [(path, f"must be of type {wanted}", code)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The branch whose type fits the value says the most ("'lost' is not a status", not "must be a string").
        fitting = [e for e in error.context if e.validator != "type"] or list(error.context)
        return _schema_error_locations(max(fitting, key=lambda e: len(e.absolute_path)))
    return [(path, error.message, code)]


def _node_id_at(document: dict, path: list) -> str | None:
    if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int):
        nodes = document.get("nodes")
        if isinstance(nodes, list) and path[1] < len(nodes) and isinstance(nodes[path[1]], dict):
            node_id = nodes[path[1]].get("id")
            return node_id if isinstance(node_id, str) else None
    if path and path[0] == "trigger":
        return TRIGGER_ID
    return None


def schema_problems(document, *, params_schema: dict | None = None, prefix: tuple = ()) -> list[Problem]:
    """Problems from the document schema, or from ``params_schema`` for the value at ``prefix``."""
    validator = _document_validator if params_schema is None else _params_validator(json.dumps(params_schema))
    located = []
    for error in validator.iter_errors(document):
        for path, message, schema_code in _schema_error_locations(error):
            code = "invalid_param" if params_schema is not None else schema_code
            located.append((_document_order(path), Problem(code, message, None, pointer(*prefix, *path))))
    return [problem for _key, problem in sorted(located, key=lambda pair: pair[0])]


_TOP_LEVEL_ORDER = ("format", "name", "description", "trigger", "nodes", "edges")


def _document_order(path: list) -> tuple:
    """Sorts problems in reading order: top-level keys as a document lists them, then indexes by number."""
    head = _TOP_LEVEL_ORDER.index(path[0]) if path and path[0] in _TOP_LEVEL_ORDER else len(_TOP_LEVEL_ORDER)
    return (head, *((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path))


@cache
def _params_validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


# --- layer 2: semantics ----------------------------------------------------------------------


class _Checker:
    def __init__(self, document: dict):
        self.doc = document
        self.problems: list[Problem] = []
        self.nodes: list[dict] = document["nodes"]
        self.edges: list[dict] = document["edges"]
        self.trigger: dict = document["trigger"]
        self.index: dict[str, int] = {}
        self.successors: dict[str, list[str]] = {}
        self.predecessors: dict[str, list[str]] = {}

    def add(self, code: str, message: str, node_id: str | None, *where) -> None:
        self.problems.append(Problem(code=code, message=message, node_id=node_id, pointer=pointer(*where)))

    def node(self, node_id: str) -> dict | None:
        i = self.index.get(node_id)
        return self.nodes[i] if i is not None else None

    def run(self) -> list[Problem]:
        self.check_ids()
        self.check_edges()
        self.check_graph()
        context = self.check_trigger()
        for i, node in enumerate(self.nodes):
            if node["type"] == "condition":
                self.check_rule(i, node, context)
            else:
                self.check_action(i, node, context)
        return self.problems

    # -- ids and edges

    def check_ids(self) -> None:
        for i, node in enumerate(self.nodes):
            node_id = node["id"]
            if node_id == TRIGGER_ID:
                self.add(
                    "reserved_node_id", "'trigger' is the trigger's id; name the node otherwise", None, "nodes", i, "id"
                )
            elif node_id in self.index:
                first = self.index[node_id]
                self.add(
                    "duplicate_node_id",
                    f"node id {node_id!r} is also used by /nodes/{first}",
                    node_id,
                    "nodes",
                    i,
                    "id",
                )
            else:
                self.index[node_id] = i
        if not self.nodes:
            self.add("empty_flow", "the flow has no nodes", None, "nodes")

    def check_edges(self) -> None:
        known = set(self.index) | {TRIGGER_ID}
        seen: dict[tuple, int] = {}
        for key in known:
            self.successors[key] = []
            self.predecessors[key] = []
        for j, edge in enumerate(self.edges):
            source, target, branch = edge["from"], edge["to"], edge.get("branch")
            usable = True
            if source not in known:
                self.add(
                    "dangling_edge",
                    f"edge starts at {source!r}, which is no node",
                    target if target in self.index else None,
                    "edges",
                    j,
                    "from",
                )
                usable = False
            if target not in known:
                self.add(
                    "dangling_edge",
                    f"edge leads to {target!r}, which is no node",
                    source if source in known else None,
                    "edges",
                    j,
                    "to",
                )
                usable = False
            if target == TRIGGER_ID:
                self.add(
                    "edge_into_trigger",
                    "no edge may lead into the trigger",
                    source if source in known else None,
                    "edges",
                    j,
                    "to",
                )
                usable = False
            source_node = self.node(source)
            if source_node is not None and source_node["type"] == "condition":
                if branch is None:
                    self.add(
                        "missing_branch",
                        f'an edge from condition {source!r} needs "branch": "true" or "false"',
                        source,
                        "edges",
                        j,
                        "branch",
                    )
            elif branch is not None and source in known:
                self.add(
                    "unexpected_branch",
                    f"only edges from a condition carry a branch; {source!r} is not a condition",
                    source,
                    "edges",
                    j,
                    "branch",
                )
            key = (source, target, branch)
            if key in seen:
                self.add(
                    "duplicate_edge",
                    f"the same edge as /edges/{seen[key]}",
                    source if source in known else None,
                    "edges",
                    j,
                )
                usable = False
            seen[key] = j
            if usable:
                self.successors[source].append(target)
                self.predecessors[target].append(source)

    def check_graph(self) -> None:
        for component in _cycles(self.successors):
            ordered = sorted(component, key=lambda n: self.index.get(n, -1))
            members = set(component)
            closing = next(j for j, e in enumerate(self.edges) if e["from"] in members and e["to"] in members)
            self.add(
                "cycle",
                f"nodes {', '.join(ordered)} form a cycle; a flow is a directed acyclic graph",
                ordered[0],
                "edges",
                closing,
            )
        reached = {TRIGGER_ID}
        queue = deque([TRIGGER_ID])
        while queue:
            for nxt in self.successors[queue.popleft()]:
                if nxt not in reached:
                    reached.add(nxt)
                    queue.append(nxt)
        for node_id, i in self.index.items():
            if node_id not in reached:
                self.add(
                    "unreachable_node", f"node {node_id!r} cannot be reached from the trigger", node_id, "nodes", i
                )

    def ancestors(self, node_id: str) -> set[str]:
        found: set[str] = set()
        queue = deque(self.predecessors.get(node_id, ()))
        while queue:
            current = queue.popleft()
            if current in found or current == TRIGGER_ID:
                continue
            found.add(current)
            queue.extend(self.predecessors.get(current, ()))
        return found

    # -- trigger

    def check_trigger(self) -> dict | None:
        trigger = self.trigger
        kind = trigger["type"]
        if kind == "event" and events.event_spec(trigger["event"]) is None:
            self.add("unknown_event", f"{trigger['event']!r} is not a domain event", TRIGGER_ID, "trigger", "event")
            return None
        if kind == "schedule":
            message = cron_problem(trigger["cron"])
            if message:
                self.add("invalid_cron", message, TRIGGER_ID, "trigger", "cron")
            if trigger["timezone"] not in _time_zones():
                self.add(
                    "invalid_timezone",
                    f"{trigger['timezone']!r} is not an IANA time zone (like Asia/Shanghai)",
                    TRIGGER_ID,
                    "trigger",
                    "timezone",
                )
        return events.trigger_context_schema(trigger)

    # -- conditions

    def check_rule(self, i: int, node: dict, context: dict | None) -> None:
        self._walk_rule(node["rule"], node, context, ("nodes", i, "rule"), in_context=True)

    def _walk_rule(self, rule, node: dict, context: dict | None, where: tuple, *, in_context: bool) -> None:
        if isinstance(rule, list):
            for k, item in enumerate(rule):
                self._walk_rule(item, node, context, (*where, k), in_context=in_context)
            return
        if not isinstance(rule, dict):
            return
        if len(rule) != 1:
            self.add(
                "invalid_rule",
                f"a JsonLogic operation is an object with exactly one key (the operator), not {len(rule)}",
                node["id"],
                *where,
            )
            return
        op, args = next(iter(rule.items()))
        if op not in jsonlogic.OPERATORS:
            self.add("unknown_operator", f"{op!r} is not a JsonLogic operator", node["id"], *where, op)
            return
        here = (*where, op)
        arg_list = args if isinstance(args, list) else [args]
        arg_where = (lambda k: (*here, k)) if isinstance(args, list) else (lambda k: here)
        if op == "var":
            path = arg_list[0] if arg_list else None
            if isinstance(path, str) and in_context and context is not None and path:
                self.check_reference(tuple(path.split(".")), node, context, arg_where(0), allow_length=True)
            for k, arg in enumerate(arg_list):
                self._walk_rule(arg, node, context, arg_where(k), in_context=in_context)
            return
        for k, arg in enumerate(arg_list):
            per_item = op in jsonlogic.ITERATING and k == 1
            self._walk_rule(arg, node, context, arg_where(k), in_context=in_context and not per_item)

    # -- actions

    def check_action(self, i: int, node: dict, context: dict | None) -> None:
        spec = catalog.action_spec(node["action"])
        params = node.get("params", {})
        if spec is None:
            self.add(
                "unknown_action",
                f"{node['action']!r} is not an action in the catalog",
                node["id"],
                "nodes",
                i,
                "action",
            )
        else:
            for problem in schema_problems(params, params_schema=spec.params_schema, prefix=("nodes", i, "params")):
                self.problems.append(
                    Problem(code=problem.code, message=problem.message, node_id=node["id"], pointer=problem.pointer)
                )
        for path, text in _strings(params, ("nodes", i, "params")):
            try:
                parts = parse_template(text)
            except TemplateSyntaxError as exc:
                self.add("template_syntax", f"{exc.message} (at character {exc.position})", node["id"], *path)
                continue
            if context is None:
                continue
            for part in parts:
                if isinstance(part, TemplatePlaceholder):
                    self.check_reference(part.path, node, context, path, allow_length=False)

    # -- references into the context

    def check_reference(self, path: tuple[str, ...], node: dict, context: dict, where: tuple, *, allow_length: bool):
        dotted = ".".join(path)
        if path[0] == "steps" and len(path) > 1:
            earlier = self.ancestors(node["id"])
            if path[1] not in earlier:
                self.add(
                    "unknown_reference",
                    f"{dotted}: {path[1]!r} is not a node that runs before {node['id']!r}",
                    node["id"],
                    *where,
                )
                return
            source = self.node(path[1])
            output = {"type": "object"}
            if source is not None and source["type"] == "action":
                spec = catalog.action_spec(source["action"])
                output = spec.output_schema if spec is not None else output
            if not resolves(output, path[2:], allow_length=allow_length):
                self.add("unknown_reference", f"{dotted} is not in the output of {path[1]!r}", node["id"], *where)
            return
        if not resolves(context, path, allow_length=allow_length):
            self.add(
                "unknown_reference",
                f"{dotted} is not in the context of {_trigger_label(self.trigger)}",
                node["id"],
                *where,
            )


def _trigger_label(trigger: dict) -> str:
    if trigger["type"] == "event":
        return f"event {trigger['event']}"
    if trigger["type"] == "schedule" and trigger.get("for_each"):
        return "a scheduled run for each order"
    return f"a {trigger['type']} trigger"


def _strings(value, where: tuple):
    """Every string in ``value`` (dict values and list items, recursively), with its path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*where, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _strings(item, (*where, k))


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


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a usable cron schedule, or ``None`` when it is."""
    text = expression.strip()
    if text.startswith("@"):
        if text not in CRON_MACROS:
            return f"{expression!r} is not a known cron macro ({', '.join(sorted(CRON_MACROS))})"
        return None
    if len(text.split()) != 5:
        return f"{expression!r} needs five fields: minute hour day-of-month month day-of-week"
    if not croniter.is_valid(text):
        return f"{expression!r} is not a valid cron expression"
    try:
        croniter(text, datetime(2024, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterBadDateError:
        return f"{expression!r} never fires"
    return None


def rule_problems(rule, *, node_id: str = "rule") -> list[Problem]:
    """Whether ``rule`` is well-formed JsonLogic with operators flows may use (no context check).

    Pointers are relative to the rule ("" is the rule itself).
    """
    checker = _Checker({"nodes": [], "edges": [], "trigger": {}})
    checker._walk_rule(rule, {"id": node_id}, None, (), in_context=False)
    return checker.problems


def validate_document(document) -> list[Problem]:
    """Every problem of ``document`` (empty when it may be published), at most ``MAX_PROBLEMS``."""
    if not isinstance(document, dict):
        return [Problem("wrong_type", "a flow document is a JSON object", None, "")]
    size = schema.document_size(document)
    if size > schema.MAX_DOCUMENT_BYTES:
        return [
            Problem(
                "document_too_large",
                f"the document is {size} bytes; the limit is {schema.MAX_DOCUMENT_BYTES} bytes",
                None,
                "",
            )
        ]
    problems = schema_problems(document)
    if problems:
        return [
            Problem(p.code, p.message, _node_id_at(document, _split(p.pointer)), p.pointer)
            for p in problems[:MAX_PROBLEMS]
        ]
    return _Checker(document).run()[:MAX_PROBLEMS]


def _split(ptr: str) -> list:
    parts: list = []
    for raw in ptr.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts
