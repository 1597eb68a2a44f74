"""Sending a notification once, and the retry queue that sends a failed one again.

``notification_send`` writes the ``NotificationLog`` row **before** the provider is called, in its
own committed transaction, under the caller's idempotency key; the provider is called with no
transaction open; the outcome is written after. So:

- a second call with the key of a ``sent`` row (a flow step retried after its worker died with the
  receipt committed) returns that row and calls nobody;
- a ``queued`` row whose attempt may have reached the provider (the worker died mid-call) is sent
  again once its lease has passed, with the same provider idempotency key
  (``provider_idempotency_key``): WeChat drops a repeated ``client_msg_id``, an e-mail keeps its
  ``Message-ID``. Aliyun SMS has no such key, but it keeps our key as the message's ``OutId``: before
  any second attempt the provider is asked (``SentLookup``) whether the first one got there, and a
  message it already accepted is recorded ``sent`` without being sent again. The group robots
  (WeCom, DingTalk) have neither, so a crash in that window can repeat a message there — to a
  staff group chat, where a repeat is the lesser harm than a lost alert;
- two workers never attempt one row at once: an attempt is claimed by a conditional ``UPDATE``
  (status due, lease passed) that also counts it.

**Retry queue**: a failed attempt that may heal (an outage, a provider's rate limit) is retried after a
fixed interval (``ORDERFLOW_NOTIFY_RETRY_SECONDS``, 300; per row from the action's params), at most
``ORDERFLOW_NOTIFY_MAX_RETRIES`` (3) times, by ``notifications_retry_due`` (a django-q2 schedule,
every minute). After the last failure — or at once for a refusal that will not heal (an invalid
number) — the row is ``dead`` and ``notification.failed`` is emitted in the same transaction.

**Rate limits** count the log: at most ``ORDERFLOW_NOTIFY_PER_RECIPIENT_PER_HOUR`` (5) messages to one
recipient per hour and ``ORDERFLOW_NOTIFY_PER_CHANNEL_PER_MINUTE`` (600) per channel per minute.
They are a count before the insert, so concurrent sends may pass them by a few: a spam guard, not a
quota. **Quiet hours** (``ORDERFLOW_NOTIFY_QUIET_HOURS``, 21 to 8 o'clock in
``ORDERFLOW_DISPLAY_TIME_ZONE``) hold a marketing message back: it is logged ``queued`` with
``next_attempt_at`` at the end of the quiet hours, and the retry queue sends it then.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_find
from commerce.outbox import names
from commerce.outbox.services import event_emit
from core.actors import Actor
from core.crypto import SecretUnreadable, reveal, seal
from core.errors import DomainError
from runtime.errors import StepFailure
from runtime.templating import render, render_params

from ..base import ProviderError
from ..models import Connection
from ..services.connections import connection_client, connection_health_failure, connection_health_success
from .channels import (
    CHANNEL_OF,
    LENGTH_LIMITS,
    SMS,
    SMS_PARAM_MAX,
    OutgoingMessage,
    SendReceipt,
    SentLookup,
    rendered_text,
)
from .errors import NotificationConnectionUnusable, NotificationRateLimited, NotificationTooLong
from .masking import mask_recipient
from .models import NotificationLog

logger = logging.getLogger(__name__)

SUBJECT = "notification"
MAX_RESPONSE_CHARS = 1000
MAX_ERROR_CHARS = 500
RETRY_BATCH = 200
RETRY_QUEUE = Actor.system("Notification retry queue", source="schedule:notifications.retry")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def retry_interval_default() -> int:
    return int(_setting("ORDERFLOW_NOTIFY_RETRY_SECONDS", 300))


def max_retries_default() -> int:
    return int(_setting("ORDERFLOW_NOTIFY_MAX_RETRIES", 3))


def _lease() -> timedelta:
    return timedelta(seconds=int(_setting("ORDERFLOW_NOTIFY_LEASE_SECONDS", 120)))


def provider_idempotency_key(log: NotificationLog) -> str:
    """32 hex characters, the same for every attempt of the row (WeChat's ``client_msg_id``, a Message-ID)."""
    return hashlib.sha256(f"orderflow-notification:{log.idempotency_key}".encode()).hexdigest()[:32]


def recipient_digest(channel: str, recipient: str) -> str:
    return hashlib.sha256(f"{channel}:{recipient.strip().lower()}".encode()).hexdigest()


def channel_of(connection: Connection) -> str:
    channel = CHANNEL_OF.get(connection.connector)
    if channel is None or not connection.enabled:
        raise NotificationConnectionUnusable(details={"connection": connection.pk})
    return channel


# --- quiet hours and rate limits --------------------------------------------------------------


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in, or ``None`` outside them."""
    start, end = _setting("ORDERFLOW_NOTIFY_QUIET_HOURS", (21, 8))
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    local = now.astimezone(zone)
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(hour=end), tzinfo=zone)


def _rate_check(*, channel: str, digest: str, now: datetime) -> None:
    per_recipient = int(_setting("ORDERFLOW_NOTIFY_PER_RECIPIENT_PER_HOUR", 5))
    per_channel = int(_setting("ORDERFLOW_NOTIFY_PER_CHANNEL_PER_MINUTE", 600))
    recent = NotificationLog.objects.filter(created_at__gt=now - timedelta(hours=1))
    if digest and recent.filter(recipient_digest=digest).count() >= per_recipient:
        raise NotificationRateLimited(details={"recipient": f"at most {per_recipient} per hour"})
    if recent.filter(channel=channel, created_at__gt=now - timedelta(minutes=1)).count() >= per_channel:
        raise NotificationRateLimited(details={"channel": f"at most {per_channel} per minute"})


# --- the message --------------------------------------------------------------------------------


def _rendered(message: OutgoingMessage, context: dict | None) -> OutgoingMessage:
    """The message with its placeholders rendered against ``context`` (the engine's safe templating).

    Without a context the message is taken as already rendered (a flow's runner renders node params
    before the action sees them: rendering twice would read placeholders out of customer data)."""
    if context is None:
        return message
    try:
        return OutgoingMessage(
            recipient=render(message.recipient, context),
            text=render(message.text, context),
            template=message.template,
            params=render_params(message.params, context),
            subject=render(message.subject, context),
            format=message.format,
            url=render(message.url, context),
            mentions=message.mentions,
        )
    except StepFailure as exc:
        raise DomainError(exc.message, details={"template": exc.code, **exc.details}) from None


def _length_check(channel: str, message: OutgoingMessage, max_length: int | None) -> int:
    limit = LENGTH_LIMITS[channel]
    text = rendered_text(message)
    length = limit.measure(text)
    maximum = min(limit.maximum, max_length) if max_length else limit.maximum
    if length > maximum:
        raise NotificationTooLong(details={"text": f"{length} {limit.unit}, at most {maximum}"})
    if channel == SMS:
        long_params = [name for name, value in message.params.items() if len(str(value)) > SMS_PARAM_MAX]
        if long_params:
            raise NotificationTooLong(details={f"params.{long_params[0]}": f"at most {SMS_PARAM_MAX} characters"})
    return length


# --- sending ------------------------------------------------------------------------------------


def notification_send(
    *,
    connection: Connection,
    message: OutgoingMessage,
    idempotency_key: str,
    actor: Actor,
    context: dict | None = None,
    order_id: int | None = None,
    marketing: bool = False,
    max_length: int | None = None,
    max_retries: int | None = None,
    retry_interval_seconds: int | None = None,
    announce_failure: bool = True,
    now: datetime | None = None,
) -> NotificationLog:
    """Sends ``message`` through ``connection`` once per ``idempotency_key``; returns its log row.

    The channel is the connection's connector's. Raises ``NotificationTooLong``,
    ``NotificationRateLimited`` or ``NotificationConnectionUnusable`` before anything is written.
    A provider's refusal is not raised: the row says ``failed`` (to be retried) or ``dead``.
    """
    now = now or timezone.now()
    existing = NotificationLog.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _attempt_if_due(existing, actor=actor, now=now)
    channel = channel_of(connection)
    message = _rendered(message, context)
    length = _length_check(channel, message, max_length)
    digest = recipient_digest(channel, message.recipient) if message.recipient else ""
    _rate_check(channel=channel, digest=digest, now=now)
    deferred = quiet_until(now) if marketing else None
    log = NotificationLog(
        channel=channel,
        connection=connection,
        recipient_masked=mask_recipient(message.recipient),
        recipient_digest=digest,
        template=message.template[:100],
        rendered_length=length,
        message_sealed=seal(json.dumps(message.as_dict(), ensure_ascii=False, sort_keys=True)),
        marketing=marketing,
        max_retries=max_retries_default() if max_retries is None else max_retries,
        retry_interval_seconds=retry_interval_seconds or retry_interval_default(),
        next_attempt_at=deferred,
        announce_failure=announce_failure,
        idempotency_key=idempotency_key,
        order_id=order_id,
    )
    try:
        with transaction.atomic():
            log.save(force_insert=True)
    except IntegrityError:  # a concurrent caller wrote the key first: its row is the one
        return NotificationLog.objects.get(idempotency_key=idempotency_key)
    if deferred is not None:
        return log
    return notification_attempt(log_id=log.pk, actor=actor, now=now)


def _attempt_if_due(log: NotificationLog, *, actor: Actor, now: datetime) -> NotificationLog:
    """A repeated send: a ``queued`` row whose attempt was lost (lease passed, nothing due later) is
    attempted again now; any other row is answered as it stands."""
    if log.status == NotificationLog.QUEUED and (log.next_attempt_at is None or log.next_attempt_at <= now):
        return notification_attempt(log_id=log.pk, actor=actor, now=now)
    return log


def notification_attempt(*, log_id: int, actor: Actor, now: datetime | None = None) -> NotificationLog:
    """One attempt of a due row: claimed (counted, leased) by a conditional ``UPDATE``, the provider
    called outside any transaction, the outcome recorded. A row another worker holds, or one not
    due, is returned as it stands."""
    now = now or timezone.now()
    due = Q(status=NotificationLog.QUEUED) | Q(status=NotificationLog.FAILED)
    claimed = (
        NotificationLog.objects.filter(due, pk=log_id)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(attempts=F("attempts") + 1, lease_until=now + _lease(), updated_at=now)
    )
    log = NotificationLog.objects.select_related("connection").get(pk=log_id)
    if not claimed:
        return log
    connection = log.connection
    if connection is None or not connection.enabled:
        return _record_failure(
            log, code="no_connection", error="the connection is gone or disabled", retryable=False, actor=actor
        )
    try:
        message = OutgoingMessage.from_dict(json.loads(reveal(log.message_sealed)))
        client = connection_client(connection)
        key = provider_idempotency_key(log)
        # A second attempt may follow one that reached the provider with its outcome lost (a timeout,
        # a worker killed mid-call): where the provider can say, it is asked before sending again.
        earlier = (
            client.sent_lookup(message, idempotency_key=key, since=log.created_at)
            if log.attempts > 1 and isinstance(client, SentLookup)
            else None
        )
        receipt = earlier or client.send(message, idempotency_key=key)
    except ProviderError as exc:
        connection_health_failure(connection.pk, exc.message)
        return _record_failure(
            log, code=exc.code or "provider_error", error=exc.message, retryable=exc.retryable, actor=actor
        )
    except (SecretUnreadable, DomainError) as exc:
        return _record_failure(log, code=getattr(exc, "code", "unusable"), error=str(exc), retryable=False, actor=actor)
    connection_health_success(connection.pk)
    return _record_sent(log, receipt)


def _truncated(response: dict) -> dict:
    text = json.dumps(response, ensure_ascii=False, default=str)
    if len(text) <= MAX_RESPONSE_CHARS:
        return response
    return {"truncated": text[:MAX_RESPONSE_CHARS]}


def _record_sent(log: NotificationLog, receipt: SendReceipt) -> NotificationLog:
    now = timezone.now()
    NotificationLog.objects.filter(pk=log.pk).update(
        status=NotificationLog.SENT,
        provider_message_id=receipt.message_id[:128],
        provider_response=_truncated(receipt.response),
        sent_at=now,
        next_attempt_at=None,
        lease_until=None,
        last_error="",
        updated_at=now,
    )
    log.refresh_from_db()
    return log


def _record_failure(log: NotificationLog, *, code: str, error: str, retryable: bool, actor: Actor) -> NotificationLog:
    """A failed attempt: retried after the row's fixed interval while retries are left, else ``dead``
    with ``notification.failed`` emitted in the same transaction (once: only the claimed attempt
    records, and a dead row is never claimed again)."""
    now = timezone.now()
    with transaction.atomic():
        log = NotificationLog.objects.select_for_update().get(pk=log.pk)
        retries_used = log.attempts - 1
        log.last_error = f"{code}: {error}"[:MAX_ERROR_CHARS]
        log.provider_response = {"code": code}
        log.lease_until = None
        if retryable and retries_used < log.max_retries:
            log.status = NotificationLog.FAILED
            log.next_attempt_at = now + timedelta(seconds=log.retry_interval_seconds)
        else:
            log.status = NotificationLog.DEAD
            log.next_attempt_at = None
            if log.announce_failure:
                _emit_failed(log, actor)
        log.save(
            update_fields=["status", "next_attempt_at", "lease_until", "last_error", "provider_response", "updated_at"]
        )
    logger.info("notification %s attempt %s failed: %s", log.pk, log.attempts, code)
    return log


def notification_representation(log: NotificationLog) -> dict:
    """The notification as ``notification.failed`` carries it (and the log API answers it)."""
    return {
        "id": log.pk,
        "channel": log.channel,
        "connection_id": log.connection_id,
        "recipient": log.recipient_masked,
        "template": log.template,
        "status": log.status,
        "attempts": log.attempts,
        "last_error": log.last_error,
    }


def _emit_failed(log: NotificationLog, actor: Actor) -> None:
    order = order_find(order_id=log.order_id) if log.order_id else None
    payload: dict = {"notification": notification_representation(log)}
    if order is not None:
        payload["order"] = order_representation(order)
    event_emit(
        name=names.NOTIFICATION_FAILED,
        subject_type=SUBJECT,
        subject_id=log.pk,
        payload=payload,
        actor=actor,
    )


def notifications_retry_due(*, now: datetime | None = None) -> int:
    """The retry queue: attempts every row that is due — failed ones at their ``next_attempt_at``,
    marketing ones held past quiet hours, queued ones whose attempt was lost (lease passed). Returns
    how many were attempted."""
    now = now or timezone.now()
    due = (
        NotificationLog.objects.filter(status__in=(NotificationLog.QUEUED, NotificationLog.FAILED))
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, lease_until__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    actor = RETRY_QUEUE
    count = 0
    for log_id in list(due):
        notification_attempt(log_id=log_id, actor=actor, now=now)
        count += 1
    return count
