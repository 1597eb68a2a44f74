"""Polling a platform for the orders it changed, page by page, from a stored cursor.

One poll of a connection at a time: a poll takes the connection's cursor by a lease (a
conditional ``UPDATE`` that only one caller can win, renewed after every page), never by a row
lock held across the provider's network calls. A crashed poll's lease runs out and the next one
starts from the stored cursor.

The cursor is stored only **after** a page's orders are ingested: a crash between the two reads
that page again (ingest is idempotent), and never skips one. An order the order centre refuses
(an unknown SKU, short stock) is counted in the run's errors with its external id and the poll
moves on; the run shows it to the admin.

A provider's rate limit (``ProviderError.retry_after``) stops the run and sets ``not_before``.

A connection polls up to two lists (``stream``), each with its own cursor, lease and runs: its
orders (``Connector.poller``) and, where the platform has a refund list, its refunds
(``Connector.refund_poller``). A refund page's items are applied one by one
(``polled_items.polled_item_apply``): one that fails is kept as a failed, replayable inbound item
and counted in the run's errors, and the cursor moves on past it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.crypto import SecretUnreadable
from core.errors import DomainError

from ..base import ProviderError
from ..models import ORDERS, REFUNDS, STREAMS, Connection, PollCursor, PollRun
from .connections import connection_client, connection_health_failure, connection_health_success, connector_of
from .ingest import inbound_order_ingest
from .polled_items import polled_item_apply

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_PAGES_PER_RUN = 50
DEFAULT_INTERVAL_SECONDS = 300
MAX_ERRORS_KEPT = 20
SCHEDULE_SLACK = timedelta(seconds=5)
# The longest a provider's Retry-After holds the next poll back: a header that asks for days (or a
# date years ahead) must not silence a sales channel's orders until someone notices.
MAX_RETRY_AFTER = timedelta(hours=1)


def poll_interval(connection: Connection) -> timedelta:
    return timedelta(seconds=int(connection.settings.get("poll_interval_seconds", DEFAULT_INTERVAL_SECONDS)))


def _claim(connection: Connection, now: datetime, stream: str = ORDERS) -> PollCursor | None:
    cursor, _ = PollCursor.objects.get_or_create(connection=connection, stream=stream)
    won = (
        PollCursor.objects.filter(pk=cursor.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(lease_until=now + LEASE)
    )
    if not won:
        return None
    cursor.refresh_from_db()
    return cursor


def _poller(connection: Connection, stream: str):
    found = connector_of(connection)
    return found.refund_poller if stream == REFUNDS else found.poller


def connections_due_for_poll(*, now: datetime, stream: str = ORDERS) -> list[int]:
    """Enabled connections whose connector polls ``stream`` and whose interval has passed since
    that list's last poll."""
    due = []
    last_polled = dict(PollCursor.objects.filter(stream=stream).values_list("connection_id", "last_polled_at"))
    for connection in Connection.objects.filter(enabled=True):
        if _poller(connection, stream) is None:
            continue
        last = last_polled.get(connection.pk)
        # Less a few seconds: the minute's schedule that polls never runs exactly a minute apart.
        if last is None or last + poll_interval(connection) - SCHEDULE_SLACK <= now:
            due.append(connection.pk)
    return due


def connection_poll(
    *, connection_id: int, now: datetime | None = None, max_pages: int = MAX_PAGES_PER_RUN, stream: str = ORDERS
) -> PollRun | None:
    """Runs one poll of the connection's ``stream``: pages until the provider says there is no
    more, or ``max_pages``. Returns the run, or ``None`` when another poll of that list holds the
    lease (or the provider asked to wait)."""
    now = now or timezone.now()
    if stream not in STREAMS:
        raise DomainError(details={"stream": f"one of {', '.join(STREAMS)}"})
    connection = Connection.objects.get(pk=connection_id)
    poller = _poller(connection, stream)
    if poller is None:
        raise DomainError(details={"connector": f"{connection.connector} does not poll {stream}"})
    cursor = _claim(connection, now, stream)
    if cursor is None:
        return None
    run = PollRun.objects.create(connection=connection, stream=stream)
    errors: list[str] = []
    try:
        client = connection_client(connection)
        position = dict(cursor.cursor)
        for _ in range(max_pages):
            page = poller.poll(client, position, now)
            run.pages += 1
            run.fetched += len(page.orders)
            for order in page.orders:
                try:
                    result = inbound_order_ingest(connection=connection, order=order, source="poll")
                except DomainError as exc:
                    run.errors += 1
                    if len(errors) < MAX_ERRORS_KEPT:
                        errors.append(f"{order.external_id}: {exc.code}: {exc.message}")
                else:
                    setattr(run, result.outcome, getattr(run, result.outcome) + 1)
            run.fetched += len(page.items)
            for item in page.items:
                applied = polled_item_apply(connection=connection, poller=poller, item=item)
                if applied.error:
                    run.errors += 1
                    if len(errors) < MAX_ERRORS_KEPT:
                        errors.append(applied.error)
                else:
                    setattr(run, applied.outcome, getattr(run, applied.outcome) + 1)
            position = page.cursor
            PollCursor.objects.filter(pk=cursor.pk).update(cursor=position, lease_until=timezone.now() + LEASE)
            run.save()
            if not page.more:
                break
    except ProviderError as exc:
        run.status = PollRun.FAILED
        errors.insert(0, exc.message)
        if exc.retry_after:
            wait = min(timedelta(seconds=exc.retry_after), MAX_RETRY_AFTER)
            PollCursor.objects.filter(pk=cursor.pk).update(not_before=now + wait)
        connection_health_failure(connection.pk, exc.message)
    except SecretUnreadable as exc:
        run.status = PollRun.FAILED
        errors.insert(0, str(exc))
        connection_health_failure(connection.pk, str(exc))
    except BaseException as exc:  # a bug or the worker stopping: recorded, then raised as it was
        run.status = PollRun.FAILED
        errors.insert(0, f"stopped by {type(exc).__name__}: {exc}")
        raise
    else:
        run.status = PollRun.SUCCEEDED
        connection_health_success(connection.pk)
    finally:
        PollCursor.objects.filter(pk=cursor.pk).update(lease_until=None, last_polled_at=now)
        run.error = "\n".join(errors)[:4000]
        run.finished_at = timezone.now()
        run.save()
    return run


def poll_release_stale(*, now: datetime) -> int:
    """Runs left ``running`` by a crashed worker (lease long gone) are marked failed."""
    return PollRun.objects.filter(status=PollRun.RUNNING, started_at__lt=now - LEASE * 2).update(
        status=PollRun.FAILED, finished_at=now, error="the worker stopped before the poll finished"
    )
