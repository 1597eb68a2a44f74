"""Rendering of ``{{ path | filter }}`` placeholders in string params, per ``builder.templating_grammar``.

Nothing is evaluated: a placeholder is a path looked up in the execution context (dicts by key,
lists by index) and a chain of the grammar's filters. A path that is not there fails the step
(``missing_path``, not retried) unless the chain has ``default``; ``null`` renders as ``""``.
"""

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from builder.templating_grammar import FilterCall, Placeholder, TemplateSyntaxError, parse_template

from .errors import TerminalFailure


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@lru_cache(maxsize=4096)
def _parsed(text: str):
    return tuple(parse_template(text))


def lookup(context, path: tuple[str, ...] | list[str]):
    """The value at ``path`` in ``context``, or ``MISSING``. ``null`` on the way is ``None``."""
    value = context
    for segment in path:
        if isinstance(value, dict):
            if segment not in value:
                return MISSING
            value = value[segment]
        elif isinstance(value, list) and segment.isdigit():
            index = int(segment)
            if index >= len(value):
                return MISSING
            value = value[index]
        elif value is None:
            return None
        else:
            return MISSING
    return value


def to_text(value) -> str:
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _fail(placeholder: Placeholder, code: str, message: str) -> TerminalFailure:
    return TerminalFailure(code, message, details={"path": placeholder.dotted})


def _apply(placeholder: Placeholder, call: FilterCall, value):
    if call.name == "default":
        return call.args[0] if value is None or value is MISSING or value == "" else value
    if value is None or value is MISSING:
        return None
    if call.name == "upper":
        return to_text(value).upper()
    if call.name == "lower":
        return to_text(value).lower()
    if call.name == "money":
        try:
            amount = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise _fail(placeholder, "bad_filter_input", f"money: {to_text(value)!r} is not a number")
        symbol = str(call.args[0]) if call.args else ""
        return f"{symbol}{amount.quantize(Decimal('0.01')):,.2f}"
    if call.name == "date":
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise _fail(placeholder, "bad_filter_input", f"date: {to_text(value)!r} is not an ISO-8601 time") from None
        if moment.tzinfo is None:
            raise _fail(placeholder, "bad_filter_input", f"date: {to_text(value)!r} has no time zone")
        fmt = str(call.args[0]) if call.args else "%Y-%m-%d %H:%M"
        return moment.astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).strftime(fmt)
    raise _fail(placeholder, "unknown_filter", f"unknown filter {call.name!r}")


def render_placeholder(placeholder: Placeholder, context):
    value = lookup(context, placeholder.path)
    if value is MISSING and not any(call.name == "default" for call in placeholder.filters):
        raise _fail(placeholder, "missing_path", f"{placeholder.dotted} is not in the context")
    for call in placeholder.filters:
        value = _apply(placeholder, call, value)
    return value


def render(text: str, context) -> str:
    """``text`` with each placeholder replaced by its value as text. Raises ``TerminalFailure``."""
    if "{{" not in text:
        return text
    try:
        parts = _parsed(text)
    except TemplateSyntaxError as exc:
        raise TerminalFailure(
            "template_syntax", f"{exc.message} (at character {exc.position})", details={"text": text}
        ) from None
    return "".join(
        to_text(render_placeholder(part, context)) if isinstance(part, Placeholder) else part.value for part in parts
    )


def render_params(value, context):
    """Every string in ``value`` (dict values and list items, recursively) rendered; other values as they are."""
    if isinstance(value, str):
        return render(value, context)
    if isinstance(value, dict):
        return {key: render_params(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [render_params(item, context) for item in value]
    return value
