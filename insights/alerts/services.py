"""Raising and resolving alerts. Raising one emits ``insights.alert`` in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce.outbox import names
from commerce.outbox.services import event_emit
from core.actors import Actor
from core.errors import InvalidInput, NotFound

from .models import SEVERITIES, Alert
from .representation import alert_representation

DIMENSIONS = ("sku", "courier", "region")
SUBJECT = "alert"


def _bilingual(value, field: str) -> dict:
    if not isinstance(value, dict) or set(value) != {"zh", "en"} or not all(isinstance(v, str) for v in value.values()):
        raise InvalidInput(details={field: 'a {"zh": text, "en": text} object'})
    return {"zh": value["zh"], "en": value["en"]}


def _drilldown(groups: Iterable[dict]) -> list[dict]:
    clean = []
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or group.get("dimension") not in DIMENSIONS:
            raise InvalidInput(details={f"drilldown[{i}].dimension": f"one of {', '.join(DIMENSIONS)}"})
        rows = []
        for j, row in enumerate(group.get("rows", ())):
            try:
                rows.append({"key": str(row["key"]), "label": str(row["label"]), "value": float(row["value"])})
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(details={f"drilldown[{i}].rows[{j}]": "a {key, label, value} object"}) from None
        clean.append({"dimension": group["dimension"], "rows": rows})
    return clean


def raise_alert(
    *,
    rule: str,
    key: str,
    severity: str,
    title: dict,
    message: dict,
    channel: str | None = None,
    drilldown: Iterable[dict] = (),
    details: dict | None = None,
) -> Alert:
    """Opens an alert and emits ``insights.alert`` with ``{"alert": <its representation>}``; answers it.

    ``key`` dedups: while an alert with the same key is open, this changes nothing and answers that
    open alert — also when two raises race (the second meets the partial unique constraint inside
    a savepoint and reads the first). ``title`` and ``message`` are ``{"zh", "en"}``; ``drilldown``
    is ``[{"dimension": "sku" | "courier" | "region", "rows": [{"key", "label", "value"}]}]``.
    Raises ``InvalidInput`` for anything else. May run inside the caller's transaction: the alert
    and its event commit with it.
    """
    if severity not in SEVERITIES:
        raise InvalidInput(details={"severity": f"one of {', '.join(SEVERITIES)}"})
    if not rule or len(rule) > 64 or not key or len(key) > 200:
        raise InvalidInput(details={"rule" if not rule or len(rule) > 64 else "key": "1 to 64 / 200 characters"})
    fields = {
        "rule": rule,
        "severity": severity,
        "channel": channel or "",
        "title": _bilingual(title, "title"),
        "message": _bilingual(message, "message"),
        "drilldown": _drilldown(drilldown),
        "details": details or {},
    }
    with transaction.atomic():
        existing = Alert.objects.filter(key=key, resolved_at__isnull=True).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                alert = Alert.objects.create(key=key, raised_at=timezone.now(), **fields)
        except IntegrityError:
            return Alert.objects.get(key=key, resolved_at__isnull=True)
        event_emit(
            name=names.INSIGHTS_ALERT,
            subject_type=SUBJECT,
            subject_id=alert.pk,
            payload={"alert": alert_representation(alert)},
            actor=Actor.system("insights.alerts", source=f"alert:{rule}"),
        )
    return alert


def alert_resolve(*, alert_id: int, user, note: str = "") -> Alert:
    """Marks the alert resolved by ``user``. Resolving a resolved alert changes nothing (the first
    resolution stays). Under the alert's row lock, so two resolutions do not both write."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound(details={"alert": alert_id})
        if alert.resolved_at is not None:
            return alert
        alert.resolved_at = timezone.now()
        alert.resolved_by = user
        alert.resolution_note = note
        alert.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return alert
