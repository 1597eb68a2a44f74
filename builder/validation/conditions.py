"""Condition nodes: their ``rule`` is well-formed JsonLogic with known operators, reading paths that exist.

A ``var`` inside an iterating operator's per-item argument (``map``, ``filter``, ``all``…) reads
the item, not the context, so it is not checked against the context.
"""

from .. import jsonlogic
from . import messages
from .graph import Graph
from .problems import Problem, Problems
from .references import Scope


def rule_check(scope: Scope, i: int, node: dict) -> None:
    """Adds the problems of condition node ``node`` (at ``/nodes/i``)."""
    _walk(scope, node["rule"], node, ("nodes", i, "rule"), in_context=True)


def _walk(scope: Scope, rule, node: dict, where: tuple, *, in_context: bool) -> None:
    if isinstance(rule, list):
        for k, item in enumerate(rule):
            _walk(scope, item, node, (*where, k), in_context=in_context)
        return
    if not isinstance(rule, dict):
        return
    if len(rule) != 1:
        message = f"a JsonLogic operation is an object with exactly one key (the operator), not {len(rule)}"
        said = messages.invalid_rule(messages.node_name(node))
        scope.problems.add("invalid_rule", message, node["id"], *where, message=said)
        return
    op, args = next(iter(rule.items()))
    if op not in jsonlogic.OPERATORS:
        said = messages.unknown_operator(messages.node_name(node), op)
        scope.problems.add(
            "unknown_operator", f"{op!r} is not a JsonLogic operator", node["id"], *where, op, message=said
        )
        return
    here = (*where, op)
    arg_list = args if isinstance(args, list) else [args]
    arg_where = (lambda k: (*here, k)) if isinstance(args, list) else (lambda k: here)
    if op == "var":
        path = arg_list[0] if arg_list else None
        if isinstance(path, str) and in_context and path:
            scope.check_reference(tuple(path.split(".")), node, arg_where(0), allow_length=True)
        for k, arg in enumerate(arg_list):
            _walk(scope, arg, node, arg_where(k), in_context=in_context)
        return
    for k, arg in enumerate(arg_list):
        per_item = op in jsonlogic.ITERATING and k == 1
        _walk(scope, arg, node, arg_where(k), in_context=in_context and not per_item)


def rule_problems(rule, *, node_id: str = "rule") -> list[Problem]:
    """Whether ``rule`` is well-formed JsonLogic with operators flows may use (no context check).

    Pointers are relative to the rule ("" is the rule itself).
    """
    scope = Scope(problems=Problems(), graph=Graph(nodes=[]), trigger={}, context=None)
    _walk(scope, rule, {"id": node_id}, (), in_context=False)
    return scope.problems.found
