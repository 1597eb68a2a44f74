"""Inbound webhook deliveries: kept, verified before anything else, deduplicated, applied after commit.

``delivery_receive`` is what ``/hooks/<connector>/<connection id>/`` does, in this order:

1. the body over ``ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES`` → 413;
2. the signature (and any timestamp window) over the raw bytes → 401/403 as the connector says;
3. the body parsed into the orders it carries → 400 when malformed;
4. the delivery stored as ``accepted`` — or, when its dedup key is already stored for the
   connection, as ``duplicate`` (the unique constraint decides, so twenty concurrent copies make
   one accepted delivery) — and the provider's success answer returned;
5. after that commit, the orders applied through the order centre (``delivery_process``).

Every refused delivery is stored too, as ``rejected`` with the reason, and changes nothing else.
A delivery whose processing failed (an unknown SKU, short stock) is ``failed`` and can be replayed
by an admin; one left ``accepted`` by a crash between 4 and 5 is processed by the sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.api.parsers import MAX_DEPTH, InvalidJson
from core.crypto import SecretUnreadable
from core.errors import DomainError, NotFound

from ..base import Acknowledgement, InboundRequest, Parsed, ProviderError, Rejected
from ..models import POLL, Connection, WebhookDelivery
from .connections import connection_credentials, connection_health_failure, connector_of
from .ingest import inbound_order_ingest
from .polled_items import polled_delivery_process

logger = logging.getLogger(__name__)

# Headers that may carry a credential: never stored. Signature headers are kept: they are derived
# from the body, reveal no secret, and let a reader see what was checked.
REDACTED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key", "x-access-token"})
MAX_STORED_HEADER = 1000
SWEEP_AFTER = timedelta(seconds=60)


def max_body_bytes() -> int:
    return int(getattr(settings, "ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES", 1024 * 1024))


@dataclass(frozen=True)
class Answer:
    """What the hook answers: the provider's success format, or an error body."""

    status: int
    body: bytes
    content_type: str
    delivery: WebhookDelivery | None = None

    @classmethod
    def acknowledged(cls, ack: Acknowledgement, delivery: WebhookDelivery) -> Answer:
        return cls(ack.status, ack.body, ack.content_type, delivery)


def stored_headers(headers) -> dict[str, str]:
    return {
        name: ("[redacted]" if name.lower() in REDACTED_HEADERS else value[:MAX_STORED_HEADER])
        for name, value in headers.items()
    }


def _rejected(connection: Connection, request: InboundRequest, error: Rejected, *, keep_body: bool) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        connection=connection,
        headers=stored_headers(request.headers),
        body=request.body if keep_body else b"",
        outcome=WebhookDelivery.REJECTED,
        error=f"{error.code}: {error.message}"[:1000],
    )


def delivery_reject_oversized(*, connection: Connection, request: InboundRequest) -> Rejected:
    limit = max_body_bytes()
    error = Rejected(413, "payload_too_large", f"The body is larger than {limit} bytes.", {"limit_bytes": limit})
    _rejected(connection, request, error, keep_body=False)
    return error


def delivery_receive(*, connection: Connection, request: InboundRequest) -> Answer | Rejected:
    """Verifies, parses and stores one delivery; applies it after commit. Returns the answer to give,
    or the ``Rejected`` (already recorded) whose status and code to answer with."""
    connector = connector_of(connection)
    inbound = connector.inbound
    if inbound is None:
        raise NotFound(details={"connector": f"{connector.key} receives no webhooks"})
    try:
        credentials = connection_credentials(connection)
    except SecretUnreadable:
        error = Rejected(503, "secret_unreadable", "This connection's credentials cannot be read; enter them again.")
        _rejected(connection, request, error, keep_body=True)
        connection_health_failure(connection.pk, error.message)
        return error
    try:
        inbound.verify(request, credentials)
    except Rejected as error:
        _rejected(connection, request, error, keep_body=True)
        return error
    try:
        parsed = _parse(inbound, request, connection)
    except Rejected as error:
        _rejected(connection, request, error, keep_body=True)
        return error
    key = inbound.dedup_key(request)[:200]
    fields = {
        "connection": connection,
        "headers": stored_headers(request.headers),
        "body": request.body,
        "verified": True,
        "dedup_key": key,
        "topic": parsed.topic[:100],
    }
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(outcome=WebhookDelivery.ACCEPTED, **fields)
    except IntegrityError:
        delivery = WebhookDelivery.objects.create(outcome=WebhookDelivery.DUPLICATE, **fields)
        return Answer.acknowledged(inbound.acknowledge(), delivery)
    # Committed: the delivery is safe whatever happens next; apply it now, in this request.
    delivery_process(delivery=delivery, parsed=parsed)
    return Answer.acknowledged(inbound.acknowledge(), delivery)


def _parse(inbound, request: InboundRequest, connection: Connection) -> Parsed:
    """The connector's ``parse``, with the API's JSON rule as the provider's 400 whatever the connector
    let through: a body no column can hold (``core.api.parsers.json_loads``, which the connectors
    read JSON with) or one nested past what a parser can walk."""
    try:
        return inbound.parse(request, connection)
    except InvalidJson as exc:
        raise Rejected(400, exc.code, str(exc.message), exc.details) from None
    except RecursionError:
        raise Rejected(
            400, "invalid_json", "The body is nested too deeply.", {"reason": "too_deep", "max_depth": MAX_DEPTH}
        ) from None


def delivery_process(*, delivery: WebhookDelivery, parsed: Parsed | None = None) -> WebhookDelivery:
    """Applies a verified delivery's orders through the order centre (and its other effects through
    their services) and records the outcome.

    Orders: the usual case — every order applies — is one transaction: the orders and the
    delivery's ``processed`` mark commit together. When an order is refused (an unknown SKU, short
    stock), that transaction rolls back and each order is applied in a transaction of its own, so
    the others still land and the delivery says which failed. Safe to repeat: the order centre is
    idempotent. Effects (``base.Effect``) are applied one by one, each in its own transactions.
    """
    if delivery.source == POLL:
        return polled_delivery_process(delivery=delivery)
    connection = delivery.connection
    connector = connector_of(connection)
    if parsed is None:
        assert connector.inbound is not None
        request = InboundRequest(body=bytes(delivery.body), headers=delivery.headers, query={})
        parsed = connector.inbound.parse(request, connection)
    outcome = WebhookDelivery.PROCESSED if parsed.handled else WebhookDelivery.IGNORED
    if parsed.effects:
        return _effects_apply(delivery, connection, parsed, outcome)
    try:
        with transaction.atomic():
            outcomes = [_ingest(connection, order) for order in parsed.orders]
            return _record(delivery, outcome, outcomes, [])
    except DomainError:
        pass
    outcomes, errors = [], []
    for order in parsed.orders:
        try:
            outcomes.append(_ingest(connection, order))
        except DomainError as exc:
            errors.append(f"{order.external_id}: {exc.code}: {exc.message}")
            outcomes.append({"external_id": order.external_id, "outcome": "failed", "error": exc.code})
    if errors:
        connection_health_failure(connection.pk, f"delivery {delivery.pk}: {errors[0]}")
    return _record(delivery, WebhookDelivery.FAILED if errors else outcome, outcomes, errors)


def _effects_apply(delivery: WebhookDelivery, connection: Connection, parsed: Parsed, outcome: str) -> WebhookDelivery:
    outcomes, errors = [], []
    for order in parsed.orders:
        try:
            outcomes.append(_ingest(connection, order))
        except DomainError as exc:
            errors.append(f"{order.external_id}: {exc.code}: {exc.message}")
            outcomes.append({"external_id": order.external_id, "outcome": "failed", "error": exc.code})
    effects = []
    for effect in parsed.effects:
        try:
            effects.append({"key": effect.key, **effect.apply(connection)})
        except DomainError as exc:
            errors.append(f"{effect.key}: {exc.code}: {exc.message}")
            effects.append({"key": effect.key, "outcome": "failed", "error": exc.code})
        except ProviderError as exc:  # the provider could not be asked (a double check): replay later
            errors.append(f"{effect.key}: provider: {exc.message}")
            effects.append({"key": effect.key, "outcome": "failed", "error": exc.code or "provider_error"})
    if errors:
        connection_health_failure(connection.pk, f"delivery {delivery.pk}: {errors[0]}")
    return _record(delivery, WebhookDelivery.FAILED if errors else outcome, outcomes, errors, effects=effects)


def _ingest(connection: Connection, order) -> dict:
    result = inbound_order_ingest(connection=connection, order=order, source="webhook")
    return {"external_id": order.external_id, "order": result.order.pk, "outcome": result.outcome}


def _record(
    delivery: WebhookDelivery,
    outcome: str,
    outcomes: list[dict],
    errors: list[str],
    *,
    effects: list[dict] | None = None,
) -> WebhookDelivery:
    delivery.outcome = outcome
    delivery.result = {"orders": outcomes} if effects is None else {"orders": outcomes, "effects": effects}
    delivery.error = "\n".join(errors)[:2000]
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["outcome", "result", "error", "processed_at", "attempts"])
    return delivery


def delivery_replay(*, delivery_id: int) -> WebhookDelivery:
    """An admin's replay: the stored, verified bytes applied again as a new delivery that points
    at the original. Rejected deliveries cannot be replayed (nothing about them was trusted). A
    failed polled item (``source="poll"``) is replayed the same way, from its stored payload
    (``polled_items.polled_delivery_process``)."""
    original = WebhookDelivery.objects.select_related("connection").filter(pk=delivery_id).first()
    if original is None:
        raise NotFound(details={"delivery": delivery_id})
    if not original.verified:
        raise Rejected(409, "not_replayable", "A rejected delivery was never verified and cannot be replayed.")
    replay = WebhookDelivery.objects.create(
        connection=original.connection,
        headers=original.headers,
        body=bytes(original.body),
        verified=True,
        dedup_key=original.dedup_key,
        topic=original.topic,
        outcome=WebhookDelivery.ACCEPTED,
        replay_of=original,
        source=original.source,
    )
    return delivery_process(delivery=replay)


def deliveries_sweep(*, now=None) -> int:
    """Processes deliveries a crash left ``accepted`` (stored, never applied). Returns how many."""
    now = now or timezone.now()
    stuck = WebhookDelivery.objects.filter(
        outcome=WebhookDelivery.ACCEPTED, received_at__lt=now - SWEEP_AFTER
    ).select_related("connection")
    count = 0
    for delivery in stuck.order_by("id")[:500]:
        try:
            delivery_process(delivery=delivery)
        except Rejected as exc:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(outcome=WebhookDelivery.FAILED, error=exc.message)
        count += 1
    return count


def sandbox_orders_deliver(*, connection: Connection, count: int) -> list[WebhookDelivery]:
    """A sandbox connection's simulator creates ``count`` orders and delivers each as the provider
    would — a signed ``orders/create``-style webhook — through ``delivery_receive``, the same
    verification and dedup path as a delivery over HTTP."""
    connector = connector_of(connection)
    if not connection.sandbox or connector.sandbox is None:
        raise Rejected(409, "not_a_sandbox", "Only a sandbox connection can simulate orders.")
    simulator = connector.sandbox(connection)
    if not hasattr(simulator, "orders_create") or not hasattr(simulator, "webhook"):
        raise Rejected(409, "no_simulated_orders", f"The {connector.key} sandbox does not simulate order webhooks.")
    deliveries = []
    for order in simulator.orders_create(count):
        call = simulator.webhook(simulator.created_topic, order)
        answer = delivery_receive(
            connection=connection, request=InboundRequest(body=call.body, headers=call.headers, query={})
        )
        if isinstance(answer, Rejected):
            raise answer
        assert answer.delivery is not None
        deliveries.append(answer.delivery)
    return deliveries


def sandbox_stream_tick(*, per_connection: int = 1) -> dict[int, int]:
    """The demo's gentle stream: each enabled sandbox connection with ``settings.demo_stream`` gets
    ``per_connection`` new orders — delivered as webhooks where the platform pushes, or left in the
    simulated shop for the poller to find. Returns {connection id: orders made}."""
    made: dict[int, int] = {}
    for connection in Connection.objects.filter(enabled=True, sandbox=True).order_by("pk"):
        if not connection.settings.get("demo_stream"):
            continue
        connector = connector_of(connection)
        if connector.sandbox is None:
            continue
        simulator = connector.sandbox(connection)
        try:
            if connector.inbound is not None and hasattr(simulator, "webhook"):
                made[connection.pk] = len(sandbox_orders_deliver(connection=connection, count=per_connection))
            elif hasattr(simulator, "orders_create"):
                made[connection.pk] = len(simulator.orders_create(per_connection))
        except (Rejected, DomainError) as exc:
            logger.warning("demo stream: connection %s: %s", connection.pk, exc)
    return made
