"""The marketplace's templates: one folder per recipe, ``templates/<slug>/``, read from disk.

- ``flow.json`` — the flow document (``orderflow.flow/v1``) with its defaults filled in;
- ``template.json`` — zh/en ``title`` and ``description``, ``category`` (one of ``CATEGORIES``),
  ``tags``, ``recipe`` (the number in issue 21's list), an integer ``version`` and its
  ``changelog``, the ``connections`` it needs (each a connector key and the places in the document
  that take the connection's id) and the ``parameters`` an operator fills in (each with its
  ``type``, optional ``x-picker`` kind of the builder contract (``builder.catalog.PICKER_KINDS``),
  ``default``, bounds, and the ``targets`` in the document it is written to);
- ``fixtures/*.json`` — events with the outcome each must have (``tests/templates``).

A target is a JSON pointer into the document in which a segment after ``nodes`` is a node's id
rather than its index (``/nodes/sms/params/template_code``), so it survives nodes being reordered.
``render`` writes an operator's parameters and connections into a copy of the document.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from builder.catalog import PICKER_KINDS

ROOT = Path(__file__).resolve().parent
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

# category key → (zh, en): the gallery's shelves, in this order.
CATEGORIES = {
    "orders": ("订单", "Orders"),
    "inventory": ("库存", "Inventory"),
    "after_sales": ("售后", "After-sales"),
    "logistics": ("物流", "Logistics"),
    "notifications": ("通知", "Notifications"),
    "reconciliation": ("对账", "Reconciliation"),
    "risk": ("风控", "Risk"),
}

# Parameter types (the catalog's ``x-kind`` values a template may ask for).
PARAMETER_TYPES = ("money", "number", "integer", "text", "enum", "bool", "time")
MAX_TEXT = 500
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_NUMBER = Decimal(10**12)  # past it no threshold, quantity or amount makes sense


class TemplateFileError(ValueError):
    """A template folder that does not hold a well-formed template (a bug in the repository)."""


@dataclass(frozen=True)
class Parameter:
    key: str
    type: str
    title: dict
    default: object
    targets: tuple[str, ...]
    help: dict = field(default_factory=dict)
    picker: str | None = None
    options: tuple = ()  # enum values
    option_labels: dict = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = MAX_TEXT
    required: bool = True

    def as_dict(self) -> dict:
        answer = {
            "key": self.key,
            "type": self.type,
            "x-kind": self.type,
            "title": self.title,
            "help": self.help,
            "default": self.default,
            "required": self.required,
            "targets": list(self.targets),
        }
        if self.picker:
            answer["x-picker"] = self.picker
        if self.type == "enum":
            answer["enum"] = list(self.options)
            answer["x-enum-labels"] = self.option_labels
        if self.minimum is not None:
            answer["minimum"] = self.minimum
        if self.maximum is not None:
            answer["maximum"] = self.maximum
        if self.type == "text":
            answer["maxLength"] = self.max_length
        return answer


@dataclass(frozen=True)
class NeededConnection:
    key: str
    connector: str
    title: dict
    targets: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"key": self.key, "connector": self.connector, "title": self.title, "targets": list(self.targets)}


@dataclass(frozen=True)
class Template:
    slug: str
    recipe: int | None
    version: int
    title: dict
    description: dict
    category: str
    tags: tuple[str, ...]
    changelog: tuple[dict, ...]
    connections: tuple[NeededConnection, ...]
    parameters: tuple[Parameter, ...]
    document: dict
    fixtures: tuple[dict, ...]

    @property
    def connectors(self) -> list[str]:
        return sorted({c.connector for c in self.connections})

    def parameter(self, key: str) -> Parameter | None:
        return next((p for p in self.parameters if p.key == key), None)

    def defaults(self) -> dict:
        return {p.key: p.default for p in self.parameters}

    def searchable(self) -> str:
        parts = [self.slug, *self.title.values(), *self.description.values(), *self.tags, *CATEGORIES[self.category]]
        return " ".join(parts).casefold()


# --- pointers ----------------------------------------------------------------------------------------


def _segments(target: str) -> list[str]:
    if not target.startswith("/"):
        raise TemplateFileError(f"target {target!r} is not a JSON pointer")
    return [part.replace("~1", "/").replace("~0", "~") for part in target[1:].split("/")]


def _step(holder, part: str, parent_key: str | None):
    if isinstance(holder, list):
        if parent_key == "nodes" and not part.isdigit():
            found = next((n for n in holder if isinstance(n, dict) and n.get("id") == part), None)
            if found is None:
                raise KeyError(part)
            return found, holder.index(found)
        return holder[int(part)], int(part)
    if isinstance(holder, dict):
        return holder[part], part
    raise KeyError(part)


def pointer_get(document: dict, target: str):
    holder, parent = document, None
    for part in _segments(target):
        holder, _index = _step(holder, part, parent)
        parent = part
    return holder


def pointer_set(document: dict, target: str, value) -> None:
    parts = _segments(target)
    holder, parent = document, None
    for part in parts[:-1]:
        holder, _index = _step(holder, part, parent)
        parent = part
    last = parts[-1]
    if isinstance(holder, list):
        holder[int(last)] = value
    elif isinstance(holder, dict):
        holder[last] = value
    else:
        raise KeyError(last)


def pointer_drop(document: dict, target: str) -> None:
    parts = _segments(target)
    holder, parent = document, None
    for part in parts[:-1]:
        holder, _index = _step(holder, part, parent)
        parent = part
    if isinstance(holder, dict):
        holder.pop(parts[-1], None)


def render(template: Template, params: dict, connections: dict) -> dict:
    """The template's document with ``params`` (validated values) and ``connections`` (ids) written in.

    A parameter not given keeps the document's value (its default); a connection not given is left
    out (the document's id is a placeholder), so the draft names it as missing.
    """
    document = copy.deepcopy(template.document)
    for parameter in template.parameters:
        if parameter.key in params:
            for target in parameter.targets:
                pointer_set(document, target, params[parameter.key])
    for needed in template.connections:
        for target in needed.targets:
            if connections.get(needed.key) is not None:
                pointer_set(document, target, connections[needed.key])
            else:
                pointer_drop(document, target)  # never the placeholder id: the draft says it is missing
    return document


def read_back(template: Template, document: dict) -> tuple[dict, dict]:
    """The parameters and connections as they stand in ``document`` (an installed flow's draft):
    what an operator changed in the editor after installing is kept by an update too."""
    params, connections = {}, {}
    for parameter in template.parameters:
        try:
            params[parameter.key] = pointer_get(document, parameter.targets[0])
        except (KeyError, IndexError, ValueError):
            continue
    for needed in template.connections:
        try:
            connections[needed.key] = pointer_get(document, needed.targets[0])
        except (KeyError, IndexError, ValueError):
            continue
    return params, connections


# --- parameter values --------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    """A finite number given as a JSON number or a numeric string, else None."""
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _moment(value) -> tuple[object, str | None]:
    """A moment as the document stores it — UTC, ``2026-12-23T16:00:00Z``, comparable as text with the
    context's times — from ISO-8601 or ``YYYY-MM-DD HH:MM``; without a zone it is Beijing time."""
    if not isinstance(value, str) or len(value) > 40:
        return None, "expected a date and time, such as 2026-12-24 00:00"
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        return None, "expected a date and time, such as 2026-12-24 00:00"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"), None


def coerce(parameter: Parameter, value) -> tuple[object, str | None]:
    """``(value as stored in the document, None)`` or ``(None, what is wrong in words)``."""
    kind = parameter.type
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, "expected true or false")
    if kind == "text":
        if not isinstance(value, str) or (parameter.required and not value.strip()):
            return None, "expected a non-empty text"
        if len(value) > parameter.max_length:
            return None, f"at most {parameter.max_length} characters"
        return value, None
    if kind == "time":
        return _moment(value)
    if kind == "enum":
        if value not in parameter.options:
            return None, "expected one of: " + ", ".join(str(o) for o in parameter.options)
        return value, None
    if isinstance(value, bool):
        return None, "expected a number"
    number = _decimal(value)
    if number is None or len(str(value)) > 20 or abs(number) > MAX_NUMBER:
        return None, "expected a number"
    if kind == "integer":
        written_whole = not isinstance(value, str) or re.fullmatch(r"-?\d+", value.strip())
        if number != number.to_integral_value() or not written_whole:
            return None, "expected a whole number"
        value = int(number)
    else:
        exponent = number.as_tuple().exponent
        if kind == "money" and isinstance(exponent, int) and exponent < -2:
            return None, "at most 2 decimal places"
        value = int(number) if number == number.to_integral_value() else float(number)
    if parameter.minimum is not None and number < Decimal(str(parameter.minimum)):
        return None, f"at least {parameter.minimum}"
    if parameter.maximum is not None and number > Decimal(str(parameter.maximum)):
        return None, f"at most {parameter.maximum}"
    return value, None


# --- loading -----------------------------------------------------------------------------------------


def _words(value, where: str) -> dict:
    if not (isinstance(value, dict) and isinstance(value.get("zh"), str) and isinstance(value.get("en"), str)):
        raise TemplateFileError(f"{where} must be {{zh, en}}")
    return {"zh": value["zh"], "en": value["en"]}


def _parameter(raw: dict, document: dict, where: str) -> Parameter:
    key, kind = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or kind not in PARAMETER_TYPES:
        raise TemplateFileError(f"{where}: a parameter needs a key and a type among {PARAMETER_TYPES}")
    picker = raw.get("x-picker")
    if picker is not None and picker not in PICKER_KINDS:
        raise TemplateFileError(f"{where}.{key}: unknown picker {picker!r}")
    targets = tuple(raw.get("targets") or ())
    if not targets:
        raise TemplateFileError(f"{where}.{key}: no targets")
    for target in targets:
        try:
            value = pointer_get(document, target)
        except (KeyError, IndexError, ValueError) as missing:
            raise TemplateFileError(f"{where}.{key}: target {target} is not in the flow document") from missing
        if value != raw.get("default"):
            raise TemplateFileError(f"{where}.{key}: the document holds {value!r} at {target}, not the default")
    options = tuple(raw.get("enum") or ())
    labels = {str(o): _words(raw.get("x-enum-labels", {}).get(str(o)), f"{where}.{key} label") for o in options}
    parameter = Parameter(
        key=key,
        type=kind,
        title=_words(raw.get("title"), f"{where}.{key}.title"),
        help=_words(raw["help"], f"{where}.{key}.help") if "help" in raw else {},
        default=raw.get("default"),
        targets=targets,
        picker=picker,
        options=options,
        option_labels=labels,
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        max_length=int(raw.get("maxLength", MAX_TEXT)),
        required=bool(raw.get("required", True)),
    )
    _value, problem = coerce(parameter, parameter.default)
    if problem:
        raise TemplateFileError(f"{where}.{key}: the default is not valid ({problem})")
    return parameter


def load_folder(folder: Path) -> Template:
    slug = folder.name
    if not SLUG.match(slug):
        raise TemplateFileError(f"{slug!r} is not a template slug")
    try:
        document = json.loads((folder / "flow.json").read_text(encoding="utf-8"))
        meta = json.loads((folder / "template.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as unreadable:
        raise TemplateFileError(f"{slug}: {unreadable}") from unreadable
    if meta.get("category") not in CATEGORIES:
        raise TemplateFileError(f"{slug}: category must be one of {list(CATEGORIES)}")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise TemplateFileError(f"{slug}: version must be a positive integer")
    changelog = tuple(meta.get("changelog") or ())
    if not changelog or changelog[0].get("version") != version:
        raise TemplateFileError(f"{slug}: the changelog must start with version {version}")
    connections = []
    for raw in meta.get("connections") or ():
        targets = tuple(raw.get("targets") or ())
        for target in targets:
            try:
                pointer_get(document, target)
            except (KeyError, IndexError, ValueError) as missing:
                raise TemplateFileError(f"{slug}: connection target {target} is not in the document") from missing
        connections.append(
            NeededConnection(
                key=raw["key"],
                connector=raw["connector"],
                title=_words(raw.get("title"), f"{slug}.connections.{raw.get('key')}.title"),
                targets=targets,
            )
        )
    fixtures = []
    for path in sorted((folder / "fixtures").glob("*.json")):
        fixtures.append({"name": path.stem, **json.loads(path.read_text(encoding="utf-8"))})
    return Template(
        slug=slug,
        recipe=meta.get("recipe"),
        version=version,
        title=_words(meta.get("title"), f"{slug}.title"),
        description=_words(meta.get("description"), f"{slug}.description"),
        category=meta["category"],
        tags=tuple(meta.get("tags") or ()),
        changelog=changelog,
        connections=tuple(connections),
        parameters=tuple(_parameter(raw, document, slug) for raw in meta.get("parameters") or ()),
        document=document,
        fixtures=tuple(fixtures),
    )


@lru_cache(maxsize=1)
def _all() -> dict[str, Template]:
    folders = sorted(p for p in ROOT.iterdir() if p.is_dir() and (p / "template.json").is_file())
    return {folder.name: load_folder(folder) for folder in folders}


def templates() -> list[Template]:
    """Every template, by category (in ``CATEGORIES`` order) then recipe number and slug."""
    order = list(CATEGORIES)
    return sorted(_all().values(), key=lambda t: (order.index(t.category), t.recipe or 99, t.slug))


def template_get(slug: str) -> Template | None:
    return _all().get(slug) if isinstance(slug, str) else None
