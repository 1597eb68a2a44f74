"""The grammar of the small template language in flow params — parsed here, rendered by the runtime.

A string param may hold placeholders among its text::

    "Order {{ order.number }} for {{ order.customer.name | default('customer') | upper }}"

Grammar (whitespace allowed around every token inside the braces)::

    template    := ( text | placeholder )*
    placeholder := "{{" path ( "|" filter )* "}}"
    path        := segment ( "." segment )*      first segment starts with a letter
    segment     := [A-Za-z0-9_-]+                 a digit-only segment indexes a list ("lines.0.sku")
    filter      := name [ "(" [ literal ] ")" ]
    literal     := '…' | "…"  (backslash escapes \\ \\' \\")  |  -?digits[.digits]

``{{`` always opens a placeholder (there is no escape for it) and the first ``}}`` after it
closes it, so a quoted argument cannot contain ``}}``; a ``}}`` outside a placeholder is text.
Nothing is evaluated: a placeholder is a path into the execution context and a chain of the
filters below, so the parse result is all a renderer needs.

Rendering contract (implemented by the runtime, defined here so editor, validator and runtime
agree): the path is looked up in the context (dicts by key, lists by index); ``null`` gives
``None``, and a path that is not there is an error on the step (it fails, it does not render as
``""``) unless the placeholder has a ``default`` filter, which then sees ``None``. Filters apply
left to right. The result is turned into text: ``None`` → ``""``, booleans → ``true``/``false``,
numbers and strings as they are, objects and lists as compact JSON.

``default(x)``   ``x`` when the value is ``None`` or ``""``.
``upper``        upper-case text.
``lower``        lower-case text.
``money([sym])`` a number or decimal string with two decimals and thousands separators,
                 prefixed by ``sym`` when given: ``money('¥')`` → ``¥1,234.50``.
``date([fmt])``  an ISO-8601 timestamp shown in ``settings.ORDERFLOW_DISPLAY_TIME_ZONE`` with the
                 ``strftime`` format ``fmt`` (default ``%Y-%m-%d %H:%M``).
"""

import re
from dataclasses import dataclass
from typing import NoReturn

OPEN = "{{"
CLOSE = "}}"


@dataclass(frozen=True)
class FilterSpec:
    name: str
    min_args: int
    max_args: int
    description_en: str
    description_zh: str


FILTERS: dict[str, FilterSpec] = {
    spec.name: spec
    for spec in (
        FilterSpec("default", 1, 1, "A fallback when the value is empty", "值为空时使用的默认值"),
        FilterSpec("upper", 0, 0, "Upper case", "转为大写"),
        FilterSpec("lower", 0, 0, "Lower case", "转为小写"),
        FilterSpec("money", 0, 1, "Two decimals with separators, optional symbol", "两位小数金额，可加货币符号"),
        FilterSpec("date", 0, 1, "A timestamp in the display time zone", "按显示时区格式化时间"),
    )
}


class TemplateSyntaxError(ValueError):
    """The template cannot be parsed; ``position`` is the offset in the string where it went wrong."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class FilterCall:
    name: str
    args: tuple[str | int | float, ...] = ()


@dataclass(frozen=True)
class Placeholder:
    """One ``{{ … }}``: where it sits in the string, the path it reads and the filters applied."""

    path: tuple[str, ...]
    filters: tuple[FilterCall, ...]
    start: int
    end: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Text:
    value: str


_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _Cursor:
    def __init__(self, text: str, start: int, end: int):
        self.text = text
        self.pos = start
        self.end = end

    def skip_space(self) -> None:
        while self.pos < self.end and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= self.end

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < self.end else ""

    def take(self, pattern: re.Pattern) -> str | None:
        match = pattern.match(self.text, self.pos, self.end)
        if match is None or match.end() == self.pos:
            return None
        self.pos = match.end()
        return match.group(0)

    def fail(self, message: str) -> NoReturn:
        raise TemplateSyntaxError(message, self.pos)


def _parse_literal(cur: _Cursor) -> str | int | float:
    quote = cur.peek()
    if quote in ("'", '"'):
        cur.pos += 1
        chars = []
        while not cur.at_end():
            ch = cur.text[cur.pos]
            if ch == "\\" and cur.pos + 1 < cur.end:
                chars.append(cur.text[cur.pos + 1])
                cur.pos += 2
                continue
            if ch == quote:
                cur.pos += 1
                return "".join(chars)
            chars.append(ch)
            cur.pos += 1
        cur.fail("a quoted argument is not closed")
    number = cur.take(_NUMBER)
    if number is None:
        cur.fail("a filter argument is a quoted string or a number")
    return float(number) if "." in number else int(number)


def _parse_filter(cur: _Cursor) -> FilterCall:
    start = cur.pos
    name = cur.take(_NAME)
    if name is None:
        cur.fail("a filter name is expected after '|'")
    spec = FILTERS.get(name)
    if spec is None:
        raise TemplateSyntaxError(f"unknown filter {name!r} (known: {', '.join(FILTERS)})", start)
    args: list[str | int | float] = []
    cur.skip_space()
    if cur.peek() == "(":
        cur.pos += 1
        cur.skip_space()
        if cur.peek() != ")":
            args.append(_parse_literal(cur))
            cur.skip_space()
        if cur.peek() != ")":
            cur.fail(f"filter {name!r} takes at most one argument; ')' expected")
        cur.pos += 1
    if not spec.min_args <= len(args) <= spec.max_args:
        wanted = str(spec.min_args) if spec.min_args == spec.max_args else f"{spec.min_args} or {spec.max_args}"
        raise TemplateSyntaxError(f"filter {name!r} takes {wanted} argument(s), got {len(args)}", start)
    return FilterCall(name=name, args=tuple(args))


def parse_expression(
    text: str, start: int = 0, end: int | None = None
) -> tuple[tuple[str, ...], tuple[FilterCall, ...]]:
    """Parses what stands between ``{{`` and ``}}``: a path and its filters."""
    cur = _Cursor(text, start, len(text) if end is None else end)
    cur.skip_space()
    path_start = cur.pos
    path: list[str] = []
    while True:
        segment = cur.take(_SEGMENT)
        if segment is None:
            cur.fail("a path like order.customer.name is expected")
        path.append(segment)
        if cur.peek() != ".":
            break
        cur.pos += 1
    if not path[0][0].isalpha():
        raise TemplateSyntaxError(f"a path starts with a letter, not {path[0]!r}", path_start)
    filters: list[FilterCall] = []
    cur.skip_space()
    while cur.peek() == "|":
        cur.pos += 1
        cur.skip_space()
        filters.append(_parse_filter(cur))
        cur.skip_space()
    if not cur.at_end():
        cur.fail(f"unexpected {cur.peek()!r}; only a path and '|' filters may stand inside {{{{ }}}}")
    return tuple(path), tuple(filters)


def parse_template(text: str) -> list[Text | Placeholder]:
    """Splits ``text`` into literal ``Text`` and ``Placeholder`` parts, in order.

    Raises ``TemplateSyntaxError`` (with the offending offset) for an unclosed ``{{``, an empty or
    malformed path, an unknown filter or a filter with the wrong number of arguments.
    """
    parts: list[Text | Placeholder] = []
    pos = 0
    while True:
        opened = text.find(OPEN, pos)
        if opened < 0:
            if pos < len(text):
                parts.append(Text(text[pos:]))
            return parts
        if opened > pos:
            parts.append(Text(text[pos:opened]))
        closed = text.find(CLOSE, opened + len(OPEN))
        if closed < 0:
            raise TemplateSyntaxError("'{{' is not closed by '}}'", opened)
        path, filters = parse_expression(text, opened + len(OPEN), closed)
        parts.append(Placeholder(path=path, filters=filters, start=opened, end=closed + len(CLOSE)))
        pos = closed + len(CLOSE)


def placeholders(text: str) -> list[Placeholder]:
    """The placeholders of ``text`` (raises ``TemplateSyntaxError`` like ``parse_template``)."""
    return [part for part in parse_template(text) if isinstance(part, Placeholder)]


def has_placeholders(text: str) -> bool:
    return OPEN in text
