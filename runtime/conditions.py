"""Condition nodes: JsonLogic rules over the execution context, through ``json_logic`` (panzi-json-logic).

The operators are ``builder.jsonlogic.OPERATORS`` — the library's table less ``log``, plus
``minutes_since`` — so a rule
means on the server what it means in the editor's json-logic-js.
"""

from json_logic import jsonLogic
from json_logic.builtins import BUILTINS, to_bool

from builder import jsonlogic

from .errors import TerminalFailure
from .templating import MISSING, lookup

OPERATIONS = {
    **{name: op for name, op in BUILTINS.items() if name not in jsonlogic.EXCLUDED},
    **jsonlogic.EXTRA_OPERATIONS,
}


def rule_inputs(rule, context) -> dict:
    """The context values the rule reads (``var`` paths outside per-item scopes), for the step record."""
    found: dict = {}

    def walk(node, in_context: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, in_context)
            return
        if not isinstance(node, dict) or len(node) != 1:
            return
        op, args = next(iter(node.items()))
        arg_list = args if isinstance(args, list) else [args]
        if op == "var" and in_context and arg_list and isinstance(arg_list[0], str) and arg_list[0]:
            value = lookup(context, arg_list[0].split("."))
            found[arg_list[0]] = None if value is MISSING else value
        for k, arg in enumerate(arg_list):
            walk(arg, in_context and not (op in jsonlogic.ITERATING and k == 1))

    walk(rule, True)
    return found


def evaluate(rule, context) -> bool:
    """The rule's truthiness (JsonLogic's, as json-logic-js has it). Raises ``TerminalFailure``."""
    try:
        return to_bool(jsonLogic(rule, context, OPERATIONS))
    except (ReferenceError, TypeError, ValueError, ArithmeticError, KeyError, IndexError) as exc:
        raise TerminalFailure("rule_error", f"the rule could not be evaluated: {exc}") from None
