"""Stock back to the platforms: Orderflow's sellable quantity pushed per SKU, coalesced and idempotent.

**Planning** (``stock_sync_plan``): for the SKUs whose stock rows changed since the connection's
watermark (or every SKU, for the periodic full sync that repairs drift), the sellable quantity
for the connection's channel is computed and written to ``StockPush.wanted``. A burst of a
thousand reservations on one SKU rewrites one row's ``wanted`` a few times; it never queues a
thousand pushes.

**Pushing** (``stock_sync_push``): every row whose ``wanted`` differs from what the platform last
accepted is pushed once, with the figure read at push time; the full sync pushes every row, since
the platform's own figure may have been changed there. A failure is retried with
exponential backoff (``next_attempt_at``) and shows in the connection's health.

The watermark goes back ``OVERLAP`` before the moment planning began: a stock write's
``updated_at`` is taken when its statement runs, and its transaction may commit a moment later.

**Share rules** (the connection's settings): ``stock_share_percent`` of the channel's available
quantity (default 100), at most ``stock_cap`` (default none), after withholding
``stock_safety`` units (default 0).

**What drives it**: every committed domain event (``outbox_committed``) kicks a sync, at most once
a second across all processes where the queue is Redis (per process otherwise: ``stock_sync_kick``);
a schedule runs a sync every minute (what the last kicks of a burst left) and a full sync every ten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce.channels.selectors import channel_by_code
from commerce.inventory.selectors import channel_available, stock_changed_skus
from core.crypto import SecretUnreadable
from runtime.queue import enqueue_at_most_every

from ..base import ProviderError
from ..models import Connection, StockPush
from .connections import connection_client, connection_health_failure, connection_health_success, connector_of

logger = logging.getLogger(__name__)

OVERLAP = timedelta(seconds=5)
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=30)
KICK_INTERVAL_SECONDS = 1.0
SYNC_TASK = "connectors.tasks.stock_sync_task"


def sellable(available: int, rules: dict) -> int:
    """The quantity a platform should show, from the channel's available quantity and the share rules."""
    percent = int(rules.get("stock_share_percent", 100))
    cap = rules.get("stock_cap")
    safety = int(rules.get("stock_safety", 0))
    quantity = max(0, available - safety) * percent // 100
    if cap is not None:
        quantity = min(quantity, int(cap))
    return max(0, quantity)


def stock_connections() -> list[Connection]:
    """Enabled connections whose connector pushes stock."""
    return [c for c in Connection.objects.filter(enabled=True) if connector_of(c).stock is not None]


def _claim(connection: Connection, now: datetime) -> bool:
    return bool(
        Connection.objects.filter(pk=connection.pk)
        .filter(Q(stock_lease_until__isnull=True) | Q(stock_lease_until__lt=now))
        .update(stock_lease_until=now + LEASE)
    )


def stock_sync_plan(*, connection: Connection, full: bool = False, now: datetime | None = None) -> int:
    """Writes ``wanted`` for the changed SKUs (all SKUs when ``full``); returns how many rows changed."""
    now = now or timezone.now()
    channel_code = connection.settings.get("channel") or connector_of(connection).channel
    channel = channel_by_code(channel_code)
    if channel is None:
        return 0
    since = connection.stock_synced_until
    skus = None if full or since is None else stock_changed_skus(since=since - OVERLAP)
    if skus is not None and not skus:
        Connection.objects.filter(pk=connection.pk).update(stock_synced_until=now)
        return 0
    figures = {
        sku: sellable(available, connection.settings) for sku, available in channel_available(channel, skus).items()
    }
    changed = 0
    with transaction.atomic():
        stored = {
            p.sku: p for p in StockPush.objects.select_for_update().filter(connection=connection, sku__in=list(figures))
        }
        new = []
        for sku, wanted in figures.items():
            row = stored.get(sku)
            if row is None:
                new.append(StockPush(connection=connection, sku=sku, wanted=wanted))
            elif row.wanted != wanted:
                StockPush.objects.filter(pk=row.pk).update(wanted=wanted, next_attempt_at=None, attempts=0)
                changed += 1
        StockPush.objects.bulk_create(new, ignore_conflicts=True)
        changed += len(new)
        Connection.objects.filter(pk=connection.pk).update(stock_synced_until=now)
    return changed


@dataclass
class PushStats:
    pushed: int = 0
    failed: int = 0
    skipped: int = 0


def stock_sync_push(
    *, connection: Connection, now: datetime | None = None, force: bool = False, limit: int = 5000
) -> PushStats:
    """Pushes every row whose ``wanted`` is not what the platform last accepted (every row, with
    ``force``: the platform's own figure may have drifted), and whose backoff is over.

    A failed row backs off (5 s × 2 ** attempts, at most ``MAX_BACKOFF``, or what the provider asked).
    A failure about the connection rather than the SKU (``ProviderError.concerns_connection``: the
    shop unreachable or failing, a rate limit, refused credentials, a missing setting) stops the run:
    the rows not tried yet wait as long as the failed one, and count as ``skipped``."""
    now = now or timezone.now()
    stats = PushStats()
    pending = StockPush.objects.filter(connection=connection).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if not force:
        pending = pending.filter(Q(pushed__isnull=True) | ~Q(pushed=F("wanted")))
    pending = pending.order_by("sku")[:limit]
    rows = list(pending)
    if not rows:
        return stats
    pusher = connector_of(connection).stock
    assert pusher is not None
    try:
        client = connection_client(connection)
    except SecretUnreadable as exc:
        connection_health_failure(connection.pk, str(exc))
        stats.failed = len(rows)
        return stats
    last_error = ""
    for index, row in enumerate(rows):
        try:
            pusher.push(client, row.sku, row.wanted)
        except ProviderError as exc:
            attempts = row.attempts + 1
            backoff = min(MAX_BACKOFF, timedelta(seconds=max(exc.retry_after or 0, 5 * 2 ** min(attempts, 10))))
            StockPush.objects.filter(pk=row.pk).update(
                attempts=attempts, next_attempt_at=now + backoff, last_error=exc.message[:500]
            )
            stats.failed += 1
            last_error = exc.message
            if exc.concerns_connection:
                # The rows after this one would fail alike (the shop is down, limits us, or the
                # connection's settings are wrong): they wait as long, in one statement, untried —
                # not a request and an update each, thousands of them on a large catalogue.
                untried = [later.pk for later in rows[index + 1 :]]
                StockPush.objects.filter(pk__in=untried).update(
                    next_attempt_at=now + backoff, last_error=exc.message[:500]
                )
                stats.skipped = len(untried)
                break
        else:
            StockPush.objects.filter(pk=row.pk).update(
                pushed=row.wanted, pushed_at=timezone.now(), pushes=F("pushes") + 1, attempts=0, last_error=""
            )
            stats.pushed += 1
    if stats.failed:
        connection_health_failure(connection.pk, f"stock push: {last_error}")
    elif stats.pushed:
        connection_health_success(connection.pk)
    return stats


def stock_sync(*, connection_id: int, full: bool = False, now: datetime | None = None) -> PushStats | None:
    """Plans and pushes for one connection, under its stock lease. ``None`` when another sync holds it."""
    now = now or timezone.now()
    connection = Connection.objects.get(pk=connection_id)
    if not _claim(connection, now):
        return None
    try:
        stock_sync_plan(connection=connection, full=full, now=now)
        return stock_sync_push(connection=connection, now=now, force=full)
    finally:
        Connection.objects.filter(pk=connection.pk).update(stock_lease_until=None)


def stock_sync_kick(**_signal) -> None:
    """``outbox_committed`` receiver: queues a stock sync, at most once a second
    (``runtime.queue.enqueue_at_most_every``).

    Cheap on the hot path: a clock read, and nothing else, when this process kicked less than a
    second ago. The sync it queues reads what changed since the watermark, so the events themselves
    are not needed.
    """
    if not getattr(settings, "ORDERFLOW_STOCK_SYNC_ON_EVENTS", True):
        return
    try:
        enqueue_at_most_every(SYNC_TASK, seconds=KICK_INTERVAL_SECONDS)
    except Exception:  # the queue being down must not fail the commit that already happened
        logger.exception("stock sync: could not queue the sync task")
