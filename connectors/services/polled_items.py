"""Items a poll fetched that are not order views — a platform's refunds — applied one by one, and
kept when they fail so that they can be replayed.

A webhook delivery that fails is kept (``WebhookDelivery``, its raw body and error) and replayed
from the connection's deliveries; a polled item had nothing like it, and the poll's cursor cannot
wait for an item whose order has not arrived yet. So a polled item that fails is stored in the
same table, ``source="poll"``: its raw payload (the item as the platform answered it, compact
JSON) as the body, ``topic`` ``poll:<what>``, the error, and a ``dedup_key`` naming that version
of the item (``ItemPoller.item_key``: the platform's id and status) — so the same version failing
again on an overlapping window counts an attempt on one row instead of adding rows. It is listed
with the connection's deliveries and replayed by the same action (``deliveries.delivery_replay``),
which comes back here (``polled_delivery_process``).

Applying an item is its effect's ``apply`` (for refunds ``services.refunds.ChannelRefund``),
idempotent on the platform's refund id: a poll and a replay of the same item, in any order or at
the same time, make one refund request.

An item larger than ``MAX_ITEM_BYTES`` is not applied: it is recorded ``rejected`` without its
body (like an oversized webhook body), so it shows, and cannot be replayed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.api.parsers import InvalidJson, json_loads
from core.errors import DomainError

from ..base import ItemPoller, ProviderError, Rejected
from ..models import POLL, Connection, WebhookDelivery
from .connections import connection_health_failure, connector_of

logger = logging.getLogger(__name__)

MAX_ITEM_BYTES = 64 * 1024
TOPIC_PREFIX = "poll:"


@dataclass(frozen=True)
class Applied:
    """What became of one polled item: ``created``, ``updated`` or ``ignored`` (the run's counters),
    or failed with ``error`` (kept as ``delivery``)."""

    outcome: str
    error: str = ""
    delivery: WebhookDelivery | None = None


def item_body(item: Mapping[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()


def _outcome(result: Mapping[str, Any]) -> str:
    if result.get("created"):
        return "created"
    if result.get("outcome") in ("no_request", "ignored"):
        return "ignored"
    return "updated"


def _item_key(poller: ItemPoller, item: Mapping[str, Any], body: bytes) -> str:
    try:
        key = poller.item_key(item)
    except (Rejected, ProviderError, KeyError, TypeError, ValueError):
        key = ""
    # An item without a readable id is named by its bytes: the same bytes again are the same item.
    return f"{TOPIC_PREFIX}{poller.topic}:{key or 'sha256=' + hashlib.sha256(body).hexdigest()}"[:200]


def _apply(poller: ItemPoller, item: Mapping[str, Any], connection: Connection) -> tuple[dict, str]:
    """The item's effect applied: (result, "") or ({}, the error) — never raises for bad input."""
    try:
        effect = poller.item_effect(item)
        return effect.apply(connection), ""
    except Rejected as exc:
        return {}, f"{exc.code}: {exc.message}"
    except DomainError as exc:
        return {}, f"{exc.code}: {exc.message}"
    except ProviderError as exc:
        return {}, f"{exc.code or 'provider_error'}: {exc.message}"


def polled_item_apply(*, connection: Connection, poller: ItemPoller, item: Mapping[str, Any]) -> Applied:
    """Applies one polled item; a failure is stored as a failed, replayable inbound item (and
    answered, not raised), so the poll goes on and its cursor moves past it."""
    body = item_body(item)
    key = _item_key(poller, item, body)
    topic = f"{TOPIC_PREFIX}{poller.topic}"
    if len(body) > MAX_ITEM_BYTES:
        error = f"payload_too_large: the item is larger than {MAX_ITEM_BYTES} bytes"
        delivery = WebhookDelivery.objects.create(
            connection=connection,
            source=POLL,
            topic=topic,
            headers={},
            body=b"",
            outcome=WebhookDelivery.REJECTED,
            error=f"{key}: {error}"[:1000],
        )
        return Applied("failed", f"{key}: {error}", delivery)
    result, error = _apply(poller, item, connection)
    if not error:
        return Applied(_outcome(result))
    # Like an order the order centre refuses, a failed item is the run's error, not the connection's
    # health: the platform answered.
    return Applied("failed", f"{key}: {error}", _failed_store(connection, topic, key, body, error))


def _failed_store(connection: Connection, topic: str, key: str, body: bytes, error: str) -> WebhookDelivery:
    now = timezone.now()
    fields = {"connection": connection, "dedup_key": key, "verified": True}
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                source=POLL,
                topic=topic,
                headers={},
                body=body,
                outcome=WebhookDelivery.FAILED,
                error=error[:2000],
                result={"effects": [{"key": key, "outcome": "failed", "error": error.split(":", 1)[0]}]},
                processed_at=now,
                attempts=1,
                **fields,
            )
    except IntegrityError:
        # The same version of the item was stored before (an overlapping window, a page read
        # again): one row, its attempts counted, its last error kept.
        stored = WebhookDelivery.objects.filter(replay_of__isnull=True, **fields).exclude(
            outcome=WebhookDelivery.DUPLICATE
        )
        stored.filter(outcome=WebhookDelivery.FAILED).update(
            attempts=F("attempts") + 1, error=error[:2000], processed_at=now
        )
        return stored.get()


def polled_delivery_process(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A stored polled item applied again (a replay): its raw payload read by the connector's
    poller of that topic, its effect applied, the outcome recorded on ``delivery``."""
    connection = delivery.connection
    connector = connector_of(connection)
    poller = connector.refund_poller
    key = delivery.dedup_key
    result: dict = {}
    if poller is None or delivery.topic != f"{TOPIC_PREFIX}{poller.topic}":
        error = f"unknown_topic: {connector.key} polls no {delivery.topic!r} items"
    else:
        try:
            item = json_loads(bytes(delivery.body))
        except (InvalidJson, ValueError):
            item = None
        if not isinstance(item, dict):
            error = "malformed_payload: the stored item is not a JSON object"
        else:
            result, error = _apply(poller, item, connection)
    if error:
        connection_health_failure(connection.pk, f"delivery {delivery.pk}: {error}")
        effects = [{"key": key, "outcome": "failed", "error": error.split(":", 1)[0]}]
        outcome = WebhookDelivery.FAILED
    else:
        effects = [{"key": key, **result}]
        outcome = WebhookDelivery.PROCESSED
    delivery.outcome = outcome
    delivery.result = {"orders": [], "effects": effects}
    delivery.error = error[:2000]
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["outcome", "result", "error", "processed_at", "attempts"])
    return delivery
