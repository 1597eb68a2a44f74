"""Risk conditions: JsonLogic through the same engine and operators as flows' conditions.

``panzi-json-logic`` with the library's operators less ``log`` (``builder.jsonlogic.EXCLUDED``
says the same for flows: commerce cannot import the builder, so the one exclusion is repeated).
"""

from __future__ import annotations

from json_logic import jsonLogic
from json_logic.builtins import BUILTINS, to_bool

from .facts import FIELDS, PATHS, groups_read

OPERATIONS = {name: op for name, op in BUILTINS.items() if name != "log"}
MAX_CONDITION_CHARS = 20_000


def condition_holds(condition, facts: dict) -> bool:
    return bool(to_bool(jsonLogic(condition, facts, OPERATIONS)))


def _sample() -> dict:
    sample: dict = {}
    for f in FIELDS:
        group, name = f.path.split(".", 1)
        sample.setdefault(group, {})[name] = {"number": 0, "string": "", "boolean": False}[f.type]
    return sample


def var_paths(node, found: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            var_paths(item, found)
    elif isinstance(node, dict):
        for op, args in node.items():
            if op == "var":
                first = args[0] if isinstance(args, list) and args else args
                if isinstance(first, str):
                    found.append(first)
            var_paths(args, found)


def condition_problem(condition, *, paths: frozenset[str] = PATHS) -> str:
    """What is wrong with ``condition`` as a rule over ``paths``; '' when it can be saved."""
    if not isinstance(condition, dict) or not condition:
        return "must be a JsonLogic rule (an object), as the condition builder writes"
    if len(str(condition)) > MAX_CONDITION_CHARS:
        return f"longer than {MAX_CONDITION_CHARS} characters"
    found: list[str] = []
    var_paths(condition, found)
    if not found:
        # A constant rule holds every order or none: never what its author meant.
        return "reads no field: pick at least one field in the condition builder"
    unknown = sorted({p for p in found if p not in paths})
    if unknown:
        return f"unknown fields: {', '.join(unknown)}"
    try:
        jsonLogic(condition, _sample(), OPERATIONS)
    except Exception as exc:  # whatever the library raises for a rule it cannot evaluate
        return f"not a rule the condition engine can evaluate: {exc}"
    return ""


__all__ = ["condition_holds", "condition_problem", "groups_read", "var_paths"]
