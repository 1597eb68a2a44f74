"""JSON request bodies, refused at the door when the database could not store them.

``json`` accepts text that no table can hold: a NUL character (PostgreSQL refuses it in ``text``
and ``jsonb``), a lone UTF-16 surrogate (it has no UTF-8 encoding), a number such as ``1e400``
(it becomes ``inf``, which JSON cannot write back), and nesting deep enough to exhaust the
parser's recursion. Each would otherwise surface as a 500 from wherever the value first meets the
database or the renderer. :func:`json_loads` refuses them all with :class:`InvalidJson` (400
``invalid_json``, with ``details.reason`` and, where there is one, ``details.pointer``) before any
view sees the body; the DRF parser below and the flow webhook both use it, so there is one rule
for every JSON body.
"""

import json
import math
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ParseError

# get_encoding is public in DRF 3.18; the DRF 3.16 stubs (the newest for Django 5.2's stubs) lack it.
from rest_framework.parsers import JSONParser, get_encoding  # type: ignore[attr-defined]

from core.errors import DomainError

# Containers inside containers. A flow document, the deepest body the API takes, needs about a
# dozen; far below the C parser's own recursion limit (~1,000), which answers RecursionError.
MAX_DEPTH = 64

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


class InvalidJson(DomainError):
    code = "invalid_json"
    http_status = 400
    message = gettext_lazy("The body is JSON, but it holds a value that cannot be stored.")


class _NonFiniteNumber:
    """Where ``json`` read a number that is not finite: kept in the value until the walk names its place."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _number(text: str) -> float | _NonFiniteNumber:
    value = float(text)
    return value if math.isfinite(value) else _NonFiniteNumber(text)


def json_loads(raw: bytes | str):
    """The value of ``raw``, which must be JSON the database can store.

    Raises ``ValueError`` (``UnicodeDecodeError`` included) for text that is not JSON, and
    :class:`InvalidJson` for JSON holding a NUL character or a lone surrogate in a string or a
    key, a number that is not finite (``1e400``, ``NaN``, ``Infinity``), or containers nested
    deeper than ``MAX_DEPTH`` — with ``details.reason`` and the RFC 6901 ``details.pointer`` of the
    first such place.
    """
    try:
        value = json.loads(raw, parse_float=_number, parse_constant=_NonFiniteNumber)
    except RecursionError:
        raise _too_deep("") from None
    problem = _first_problem(value)
    if problem is None:
        return value
    reason, pointer, number = problem
    if reason == "too_deep":
        raise _too_deep(pointer)
    if reason == "non_finite_number":
        raise InvalidJson(
            _("The number %(number)s cannot be stored: it is too large or not a number.") % {"number": number},
            details={"reason": reason, "pointer": pointer},
        )
    raise InvalidJson(
        _("A text holds a NUL character or a lone surrogate, which cannot be stored."),
        details={"reason": reason, "pointer": pointer},
    )


def is_storable_text(text: str) -> bool:
    """Whether a text holds neither a NUL character nor a lone surrogate (what no column can hold)."""
    return _UNSTORABLE_TEXT.search(text) is None


def printable_name(text: str) -> str:
    """``text`` with its unstorable characters escaped, fit to name a field in an error body or a log."""
    return _UNSTORABLE_TEXT.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _too_deep(pointer: str) -> InvalidJson:
    return InvalidJson(
        _("The body is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH},
        details={"reason": "too_deep", "pointer": pointer, "max_depth": MAX_DEPTH},
    )


def _first_problem(value) -> tuple[str, str, str] | None:
    """The first unstorable place in ``value`` as (reason, RFC 6901 pointer, the number's text), or None.

    Iterative, so that the walk itself cannot exhaust the stack. A pointer is built only for a
    container that is descended into, which keeps the walk cheap on the bodies that pass.
    """
    if isinstance(value, str):
        return ("unstorable_text", "", "") if _UNSTORABLE_TEXT.search(value) else None
    if isinstance(value, _NonFiniteNumber):
        return "non_finite_number", "", value.text
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[dict | list, str, int]] = [(value, "", 1)]
    while stack:
        container, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "too_deep", pointer, ""
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in items:
            if isinstance(key, str) and _UNSTORABLE_TEXT.search(key):
                return "unstorable_text", pointer, ""
            if isinstance(item, str):
                if _UNSTORABLE_TEXT.search(item):
                    return "unstorable_text", f"{pointer}/{_escape(key)}", ""
            elif isinstance(item, _NonFiniteNumber):
                return "non_finite_number", f"{pointer}/{_escape(key)}", item.text
            elif isinstance(item, dict | list):
                stack.append((item, f"{pointer}/{_escape(key)}", depth + 1))
    return None


def _escape(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


class StrictJSONParser(JSONParser):
    """DRF's ``JSONParser`` with :func:`json_loads`'s rules: malformed JSON stays a
    ``ParseError`` (400 ``malformed_json``), unstorable JSON is 400 ``invalid_json``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            return json_loads(stream.read().decode(encoding))
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
