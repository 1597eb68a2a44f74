"""Action nodes: the action is in the catalog, its ``params`` pass the action's params schema, and the
``{{ … }}`` templates in string params parse and name paths of the context (or of earlier steps).
"""

from .. import catalog
from ..templating_grammar import Placeholder, TemplateSyntaxError, parse_template
from . import messages
from .problems import Problem
from .references import Scope
from .shape import schema_problems


def action_check(scope: Scope, i: int, node: dict) -> None:
    """Adds the problems of action node ``node`` (at ``/nodes/i``)."""
    spec = catalog.action_spec(node["action"])
    params = node.get("params", {})
    if spec is None:
        message = f"{node['action']!r} is not an action in the catalog"
        said = messages.unknown_action(node.get("label") or node["id"], node["action"])
        scope.problems.add("unknown_action", message, node["id"], "nodes", i, "action", message=said)
    else:
        whole = scope.document
        prefix = ("nodes", i, "params")
        for problem in schema_problems(params, params_schema=spec.params_schema, prefix=prefix, whole=whole):
            scope.problems.extend([Problem(problem.code, problem.detail, node["id"], problem.pointer, problem.message)])
    for path, text in _strings(params, ("nodes", i, "params")):
        try:
            parts = parse_template(text)
        except TemplateSyntaxError as exc:
            message = f"{exc.message} (at character {exc.position})"
            said = messages.template_syntax(messages.field_title(scope.document, list(path)))
            scope.problems.add("template_syntax", message, node["id"], *path, message=said)
            continue
        for part in parts:
            if isinstance(part, Placeholder):
                scope.check_reference(part.path, node, path, allow_length=False)


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
