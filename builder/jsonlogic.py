"""The condition language: the JsonLogic operators a flow's rules may use.

Rules run on the server through ``json_logic.jsonLogic`` (panzi-json-logic) and in the browser
through json-logic-js; both pass the official JsonLogic test suite, so a rule means the same in
the editor's test run and in the worker. The operators allowed here are the ones both implement:
the library's built-in table plus the forms its evaluator handles itself (``if``, ``and``,
``map``…), less ``log``, which prints to the worker's stdout and has no place in a flow — plus
``minutes_since`` (``EXTRA_OPERATIONS``), which the editor registers in json-logic-js alike
(``frontend/src/editor/jsonlogicOps.ts``): times are compared as "older than N minutes/hours" with
``{">=": [{"minutes_since": [{"var": "order.paid_at"}]}, N]}``.
"""

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils import timezone
from json_logic.builtins import BUILTINS

# Evaluated by ``json_logic.apply`` itself (lazily), not through the BUILTINS table.
SPECIAL_FORMS = frozenset({"if", "?:", "and", "or", "filter", "map", "reduce", "all", "some", "none"})
# Their second (and for ``reduce`` only second) argument is evaluated against each item, not the context.
ITERATING = frozenset({"filter", "map", "reduce", "all", "some", "none"})
EXCLUDED = frozenset({"log"})


# The ISO-8601 forms both engines read (json-logic-js's side: frontend/src/editor/jsonlogicOps.ts).
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?")


def parse_time(value) -> datetime | None:
    """An ISO-8601 date or date-time as an aware datetime (a time without offset is UTC); None otherwise."""
    if not isinstance(value, str) or not _ISO_TIME.fullmatch(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# "Now" for ``minutes_since``: the wall clock, unless a replay sets the moment it replays (``clock``).
_NOW: ContextVar[datetime | None] = ContextVar("jsonlogic_now", default=None)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Rules evaluated inside read ``moment`` as now: a back-test asks what a rule said when the event
    happened, not what it would say today."""
    token = _NOW.set(moment)
    try:
        yield
    finally:
        _NOW.reset(token)


def minutes_since(data=None, value=None, *_ignored) -> int | None:
    """Whole minutes from the ISO-8601 time ``value`` to now (negative for a time to come, rounded down);
    ``null`` when the value is missing or not a time, so ``{">=": [null, N]}`` is false."""
    moment = parse_time(value)
    if moment is None:
        return None
    now = _NOW.get() or timezone.now()
    return math.floor((now - moment).total_seconds() / 60)


# Operators flows add to the library's table (and json-logic-js's, in the editor).
EXTRA_OPERATIONS = {"minutes_since": minutes_since}

OPERATORS = (frozenset(BUILTINS) | SPECIAL_FORMS | frozenset(EXTRA_OPERATIONS)) - EXCLUDED

_NAMES = {
    "var": ("Value at path", "取值"),
    "missing": ("Missing fields", "缺失字段"),
    "missing_some": ("Missing some fields", "部分缺失字段"),
    "==": ("Equals", "等于"),
    "===": ("Strictly equals", "严格等于"),
    "!=": ("Not equal", "不等于"),
    "!==": ("Strictly not equal", "严格不等于"),
    ">": ("Greater than", "大于"),
    ">=": ("At least", "大于等于"),
    "<": ("Less than", "小于"),
    "<=": ("At most", "小于等于"),
    "!": ("Not", "非"),
    "!!": ("Is truthy", "为真"),
    "and": ("All of", "并且"),
    "or": ("Any of", "或者"),
    "if": ("If / then / else", "如果…则…否则"),
    "?:": ("Ternary", "三元条件"),
    "in": ("Contains / is in", "包含于"),
    "cat": ("Concatenate text", "拼接文本"),
    "substr": ("Part of text", "截取文本"),
    "+": ("Add", "加"),
    "-": ("Subtract", "减"),
    "*": ("Multiply", "乘"),
    "/": ("Divide", "除"),
    "%": ("Remainder", "取余"),
    "min": ("Minimum", "最小值"),
    "max": ("Maximum", "最大值"),
    "merge": ("Merge lists", "合并列表"),
    "map": ("Map each", "逐项映射"),
    "filter": ("Filter", "筛选"),
    "reduce": ("Reduce", "归约"),
    "all": ("All items", "全部满足"),
    "some": ("Some item", "任一满足"),
    "none": ("No item", "均不满足"),
    "minutes_since": ("Minutes since (a time)", "距今分钟数（时间）"),
}

if set(_NAMES) != OPERATORS:  # pragma: no cover - guards a library upgrade
    raise RuntimeError(f"JsonLogic operator names out of date: {sorted(OPERATORS ^ set(_NAMES))}")


def operator_catalog() -> list[dict]:
    """The operators with their names, in a stable order, for the editor's condition builder."""
    return [{"operator": op, "name": {"en": en, "zh": zh}} for op, (en, zh) in _NAMES.items()]
