"""The values a param may name, over the real rows: what ``GET /api/v1/pickers/<kind>/`` answers.

Each kind of ``catalog.PICKER_KINDS`` has one function ``(q, limit, filters) -> options``; an
option is ``{"value": <stored value>, "label": {"zh", "en"}, "hint": "…"}``. The builder serves
the kinds it can read (commerce and accounts); the connectors register theirs
(``connection``, ``message_template``, ``courier``) from their ``AppConfig.ready`` with
``register_picker``, as they register their actions — the builder never imports them.

``q`` matches the value or either label, case-insensitively; at most ``limit`` options come back.

``picker_value_exists`` answers whether a value is one a kind offers, by an exact lookup (not a
search): what a marketplace install checks its picker parameters with. ``tag`` and
``message_template`` are open — tagging makes a new tag, and a provider's template may be one no
message has used yet — so they are not checked.
"""

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from commerce.catalog.models import Product
from commerce.channels.selectors import channel_list
from commerce.inventory.models import Warehouse
from commerce.orders.models import OrderTag
from commerce.tickets.models import Ticket
from core.accounts.roles import ALL_ROLES

from . import events
from .catalog import PICKER_KINDS
from .field_labels import ORDER_STATUS_LABELS, PRIORITY_LABELS, QUEUE_LABELS, ROLE_LABELS

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_QUERY_LENGTH = 100

PickerFunction = Callable[[str, int, dict], list[dict]]
ExistsFunction = Callable[[object, dict], bool]
OPEN_KINDS = frozenset({"tag", "message_template"})


def option(value, zh: str, en: str, hint: str = "") -> dict:
    return {"value": value, "label": {"zh": zh, "en": en}, "hint": hint}


def matches(option_: dict, q: str) -> bool:
    needle = q.casefold()
    texts = (str(option_["value"]), option_["label"]["zh"], option_["label"]["en"], option_["hint"])
    return not needle or any(needle in text.casefold() for text in texts)


def filtered(options: Iterable[dict], q: str, limit: int) -> list[dict]:
    """The options of a short fixed list that match ``q``, at most ``limit``."""
    return [o for o in options if matches(o, q)][:limit]


def _fixed(labels: dict[str, tuple[str, str]]) -> PickerFunction:
    def pick(q: str, limit: int, filters: dict) -> list[dict]:
        return filtered((option(value, zh, en) for value, (zh, en) in labels.items()), q, limit)

    return pick


def _channels(q: str, limit: int, filters: dict) -> list[dict]:
    rows = channel_list().filter(active=True)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return [option(c.code, c.name, c.name, c.code) for c in rows[:limit]]


def _queues(q: str, limit: int, filters: dict) -> list[dict]:
    """The queues the studio names, then every other queue a ticket was opened in."""
    in_use = Ticket.objects.order_by("queue").values_list("queue", flat=True).distinct()
    slugs = [*QUEUE_LABELS, *(slug for slug in in_use if slug not in QUEUE_LABELS)]
    options = (option(slug, *QUEUE_LABELS.get(slug, (slug, slug)), hint=slug) for slug in slugs)
    return filtered(options, q, limit)


def _tags(q: str, limit: int, filters: dict) -> list[dict]:
    """The tags on orders, the most used first, with how many orders carry each."""
    rows = OrderTag.objects.values("name").annotate(orders=Count("id")).order_by("-orders", "name")
    if q:
        rows = rows.filter(name__icontains=q)
    return [option(r["name"], r["name"], r["name"], str(r["orders"])) for r in rows[:limit]]


def _users(q: str, limit: int, filters: dict) -> list[dict]:
    rows = get_user_model().objects.filter(is_active=True).order_by("username")
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    options = []
    for user in rows[:limit]:
        name = user.get_full_name() or user.username
        options.append(option(user.username, name, name, user.username))
    return options


def _warehouses(q: str, limit: int, filters: dict) -> list[dict]:
    rows = Warehouse.objects.all()
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return [option(w.code, w.name, w.name, w.code) for w in rows[:limit]]


def _skus(q: str, limit: int, filters: dict) -> list[dict]:
    rows = Product.objects.filter(active=True)
    if q:
        rows = rows.filter(Q(sku__icontains=q) | Q(title__icontains=q))
    return [option(p.sku, p.title, p.title, p.sku) for p in rows[:limit]]


def _events(q: str, limit: int, filters: dict) -> list[dict]:
    specs = (spec for spec in events.EVENTS.values() if spec.available)
    return filtered((option(s.name, s.name_zh, s.name_en, s.name) for s in specs), q, limit)


_pickers: dict[str, PickerFunction] = {
    "channel": _channels,
    "status": _fixed(ORDER_STATUS_LABELS),
    "queue": _queues,
    "tag": _tags,
    "role": _fixed({role: ROLE_LABELS[role] for role in ALL_ROLES}),
    "user": _users,
    "warehouse": _warehouses,
    "sku": _skus,
    "ticket_priority": _fixed(PRIORITY_LABELS),
    "event": _events,
}


def _text_value(value) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def _in(labels) -> ExistsFunction:
    return lambda value, filters: isinstance(value, str) and value in labels


def _queue_exists(value, filters: dict) -> bool:
    slug = _text_value(value)
    return slug is not None and (slug in QUEUE_LABELS or Ticket.objects.filter(queue=slug).exists())


def _user_exists(value, filters: dict) -> bool:
    name = _text_value(value)
    return name is not None and get_user_model().objects.filter(username=name, is_active=True).exists()


def _channel_exists(value, filters: dict) -> bool:
    code = _text_value(value)
    return code is not None and channel_list().filter(active=True, code=code).exists()


def _warehouse_exists(value, filters: dict) -> bool:
    code = _text_value(value)
    return code is not None and Warehouse.objects.filter(code=code).exists()


def _sku_exists(value, filters: dict) -> bool:
    sku = _text_value(value)
    return sku is not None and Product.objects.filter(sku=sku, active=True).exists()


def _event_exists(value, filters: dict) -> bool:
    spec = events.EVENTS.get(value) if isinstance(value, str) else None
    return spec is not None and spec.available


_exists: dict[str, ExistsFunction] = {
    "channel": _channel_exists,
    "status": _in(ORDER_STATUS_LABELS),
    "queue": _queue_exists,
    "role": _in(ALL_ROLES),
    "user": _user_exists,
    "warehouse": _warehouse_exists,
    "sku": _sku_exists,
    "ticket_priority": _in(PRIORITY_LABELS),
    "event": _event_exists,
}


def register_picker(kind: str, pick: PickerFunction, exists: ExistsFunction | None = None) -> None:
    """Serves ``kind`` (one of ``PICKER_KINDS``) with ``pick`` and, for a closed kind, checks a value
    with ``exists``. Registering a kind twice is a bug."""
    if kind not in PICKER_KINDS:
        raise ValueError(f"picker {kind!r} is not in PICKER_KINDS")
    existing = _pickers.get(kind)
    if existing is not None and existing is not pick:
        raise ValueError(f"picker {kind!r} is registered twice")
    _pickers[kind] = pick
    if exists is not None:
        _exists[kind] = exists


def picker_value_exists(*, kind: str, value, filters: dict | None = None) -> bool | None:
    """Whether ``value`` is one of the values ``kind`` offers (exactly), or ``None`` when the kind is
    open (``OPEN_KINDS``) or nobody checks it."""
    if kind in OPEN_KINDS:
        return None
    check = _exists.get(kind)
    return None if check is None else check(value, filters or {})


def picker_kinds() -> tuple[str, ...]:
    return tuple(kind for kind in PICKER_KINDS if kind in _pickers)


def picker_options(
    *, kind: str, q: str = "", limit: int = DEFAULT_LIMIT, filters: dict | None = None
) -> list[dict] | None:
    """The options of ``kind`` matching ``q`` (at most ``limit``), or ``None`` for a kind nobody serves."""
    pick = _pickers.get(kind)
    if pick is None:
        return None
    return pick(q.strip(), max(1, min(limit, MAX_LIMIT)), filters or {})
