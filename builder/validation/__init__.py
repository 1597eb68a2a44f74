"""Validation of a flow document: every problem, each with its node id and a JSON pointer.

``validate_document(doc)`` runs two layers. First the size cap and the JSON Schema
(``shape``, against ``schema.DOCUMENT_SCHEMA``); a document that fails them gets only those
problems, since the semantic layer needs the shape to be right. Then the semantic checks, one
module per concern, in this order:

- ``graph``: node ids, edges, branches, cycles, reachability from ``trigger``;
- ``triggers``: the event is a known domain event that is emitted already, the cron and time zone are valid;
- ``conditions``: rules are well-formed JsonLogic with known operators;
- ``actions``: actions are in the catalog, their ``params`` pass the action's params schema and
  their ``{{ … }}`` templates parse;
- ``references`` (used by the two above): ``var`` paths and template placeholders name paths of
  the trigger's context, or ``steps.<id>`` of a node that runs before.

The returned list is empty for a valid document. Nothing here touches the database.
"""

from .. import schema
from . import messages
from .actions import action_check
from .conditions import rule_check, rule_problems
from .graph import graph_check
from .problems import TRIGGER_ID, Problem, Problems, pointer, pointer_parts
from .references import Scope, resolves
from .shape import node_id_at, schema_problems
from .triggers import CRON_MACROS, EVENT_UNAVAILABLE, cron_problem, trigger_check

__all__ = [
    "CRON_MACROS",
    "EVENT_UNAVAILABLE",
    "MAX_PROBLEMS",
    "TRIGGER_ID",
    "Problem",
    "cron_problem",
    "pointer",
    "resolves",
    "rule_problems",
    "schema_problems",
    "too_large_problem",
    "validate_document",
]

MAX_PROBLEMS = 200


def validate_document(document) -> list[Problem]:
    """Every problem of ``document`` (empty when it may be published), at most ``MAX_PROBLEMS``."""
    if not isinstance(document, dict):
        return [Problem("wrong_type", "a flow document is a JSON object", None, "", messages.not_an_object())]
    size = schema.document_size(document)
    if size > schema.MAX_DOCUMENT_BYTES:
        return [too_large_problem(size)]
    problems = schema_problems(document)
    if problems:
        return [
            Problem(p.code, p.detail, node_id_at(document, pointer_parts(p.pointer)), p.pointer, p.message)
            for p in problems[:MAX_PROBLEMS]
        ]
    return _semantic_problems(document)[:MAX_PROBLEMS]


def too_large_problem(size: int) -> Problem:
    detail = f"the document is {size} bytes; the limit is {schema.MAX_DOCUMENT_BYTES} bytes"
    return Problem("document_too_large", detail, None, "", messages.too_large(size, schema.MAX_DOCUMENT_BYTES))


def _semantic_problems(document: dict) -> list[Problem]:
    found = Problems()
    graph = graph_check(document, found)
    context = trigger_check(document["trigger"], found)
    scope = Scope(problems=found, graph=graph, trigger=document["trigger"], context=context, document=document)
    for i, node in enumerate(document["nodes"]):
        if node["type"] == "condition":
            rule_check(scope, i, node)
        else:
            action_check(scope, i, node)
    return found.found
