"""The connectors' pickers for the flow editor: connections, message templates and couriers.

Registered into ``builder.pickers`` from ``ConnectorsConfig.ready`` (the builder never imports the
connectors). There is no table of message templates: a notify node names the provider's own
template (Aliyun TemplateCode, WeChat template_id), so the ``message_template`` picker offers the
templates the notification log has already sent through, newest first, filtered by connection
or connector.
"""

from django.db.models import Max, Q

from builder.pickers import filtered, option, register_picker

from .base import COURIER
from .models import Connection
from .notify.models import NotificationLog
from .registry import CONNECTORS, connector


def _connections(q: str, limit: int, filters: dict) -> list[dict]:
    rows = Connection.objects.filter(enabled=True).order_by("connector", "name", "id")
    if filters.get("connector"):
        rows = rows.filter(connector=filters["connector"])
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(connector__icontains=q))
    options = []
    for row in rows[:limit]:
        known = connector(row.connector)
        kind_zh, kind_en = (known.name_zh, known.name_en) if known else (row.connector, row.connector)
        hint = f"{kind_zh} · sandbox" if row.sandbox else kind_zh
        options.append(option(row.pk, f"{row.name}（{kind_zh}）", f"{row.name} ({kind_en})", hint))
    return options


def _message_templates(q: str, limit: int, filters: dict) -> list[dict]:
    rows = NotificationLog.objects.exclude(template="")
    if filters.get("connector"):
        rows = rows.filter(connection__connector=filters["connector"])
    if filters.get("connection"):
        rows = rows.filter(connection_id=filters["connection"])
    if q:
        rows = rows.filter(template__icontains=q)
    used = rows.values("template", "channel").annotate(last=Max("created_at")).order_by("-last", "template")
    return [option(r["template"], r["template"], r["template"], r["channel"]) for r in used[:limit]]


def _couriers(q: str, limit: int, filters: dict) -> list[dict]:
    return filtered((option(c.key, c.name_zh, c.name_en, c.key) for c in CONNECTORS if c.kind == COURIER), q, limit)


def _connection_exists(value, filters: dict) -> bool:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return False
    rows = Connection.objects.filter(pk=value, enabled=True)
    if filters.get("connector"):
        rows = rows.filter(connector=filters["connector"])
    return rows.exists()


def _courier_exists(value, filters: dict) -> bool:
    return any(c.key == value for c in CONNECTORS if c.kind == COURIER)


def register_pickers() -> None:
    register_picker("connection", _connections, _connection_exists)
    register_picker("message_template", _message_templates)
    register_picker("courier", _couriers, _courier_exists)
