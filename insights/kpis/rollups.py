"""Keeping the KPI rollups up to date: a scheduled incremental refresh, and a rebuild from scratch.

**How.** Every order and every notification has one ``KpiFact``: what it adds to each counter of
its Asia/Shanghai hour and channel (``facts``), and the order's status. The rollups are sums of
facts — ``KpiHourly`` per (day, hour, channel), ``KpiBacklog`` per (channel, status) — kept as
running totals: when a fact changes, its old contribution is subtracted and its new one added
(``F()`` updates, no read-modify-write). A fact that did not change adds nothing, so recomputing
one is always safe; the refresh may look at more orders than changed, never fewer.

**Which orders a refresh recomputes** (``kpi_rollups_refresh``, every minute from the schedules
table, ``insights.kpi_rollups``), since the last refresh minus ``OVERLAP``:

- orders whose row changed (``Order.updated_at``: status, payment, shipping, hold and release,
  the sync lag — every service that changes an order saves it);
- orders whose shipping SLA ran out meanwhile (paid, unshipped, ``paid_at`` + SLA passed): they
  became late without any row changing;
- orders with a gateway refund or a refund request that changed (``updated_at``);
- orders whose dead flow execution or open ticket appeared or went away: the orders with one now
  compared with the facts flagged so (a partial index each), so the cost follows the size of the
  dead-letter list and the ticket queue, not of the order table;
- notifications whose row changed (``NotificationLog.updated_at``).

``OVERLAP`` (5 minutes) covers transactions that stamped ``updated_at`` before the previous refresh
read but committed after it. A refresh runs under the row lock of ``KpiRollupState``, so two never
interleave; the rebuild takes the same lock.

**Rebuild** (``kpi_rollups_rebuild``, ``manage.py rebuild_kpi_rollups``, and the first refresh):
every fact recomputed, the rollups summed from them with ``GROUP BY``. Run it after changing
``ORDERFLOW_KPI_SHIP_SLA_HOURS`` or after writing orders behind the services' back (a restore,
the demo seeder's back-dating). The property test in ``tests/insights/kpis`` checks that after
any stream of changes the incremental refresh equals the rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from commerce.orders import statuses
from commerce.orders.models import Order
from commerce.payments.models import PaymentRefund
from commerce.refunds import statuses as refund_statuses
from commerce.refunds.models import RefundRequest
from commerce.tickets import constants as tickets
from commerce.tickets.models import Ticket
from connectors.notify.models import NotificationLog
from core.db import custom_plans
from runtime import statuses as executions
from runtime.models import Execution

from . import facts
from .models import COUNTERS, KpiBacklog, KpiFact, KpiHourly, KpiRollupState

OVERLAP = timedelta(minutes=5)
BATCH = 2000
REBUILD_BATCH = 10_000
_FACT_FIELDS = ("day", "hour", "channel_id", "status", "held", "failed_execution", "open_ticket", *COUNTERS)


def ship_sla() -> timedelta:
    return timedelta(hours=getattr(settings, "ORDERFLOW_KPI_SHIP_SLA_HOURS", 48))


@dataclass(frozen=True)
class RefreshResult:
    rebuilt: bool
    changed: int  # facts created or changed
    refreshed_until: datetime


def _state() -> KpiRollupState:
    """The state row, locked: the refresh and the rebuild run one at a time."""
    KpiRollupState.objects.get_or_create(pk=1)
    return KpiRollupState.objects.select_for_update().get(pk=1)


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


# --- reading the domain -------------------------------------------------------------------------


def _order_facts(
    order_filter: dict,
    now: datetime,
    *,
    failed: set[int] | None = None,
    ticketed: set[int] | None = None,
    refunded: set[int] | None = None,
) -> dict[int, facts.Fact]:
    """The facts of the orders ``order_filter`` selects. ``failed``, ``ticketed`` and ``refunded``
    are the order ids with a dead execution, an open ticket or a gateway refund — read here for
    these orders unless the caller read them for all orders at once (the rebuild)."""
    rows = list(Order.objects.filter(**order_filter).order_by("pk").values_list(*facts.ORDER_COLUMNS))
    ids = [row[0] for row in rows]
    if failed is None:
        subject_keys = [f"order:{pk}" for pk in ids]
        failed = {
            int(key.split(":", 1)[1])
            for key in Execution.objects.filter(status=executions.DEAD, subject_key__in=subject_keys).values_list(
                "subject_key", flat=True
            )
        }
    if ticketed is None:
        ticketed = set(
            Ticket.objects.filter(order_id__in=ids).exclude(status=tickets.CLOSED).values_list("order_id", flat=True)
        )
    if refunded is None:
        refunded = _refunded_orders(ids)
    sla = ship_sla()
    return {
        row[0]: facts.order_fact(
            row, failed=row[0] in failed, ticketed=row[0] in ticketed, refunded=row[0] in refunded, sla=sla, now=now
        )
        for row in rows
    }


def _refunded_orders(order_ids: list[int] | None = None) -> set[int]:
    """Orders money went back to: a gateway refund that succeeded, or a refund request refunded
    (through the gateway, offline by finance, or by the sales channel itself). All when ``order_ids`` is None."""
    gateway = PaymentRefund.objects.filter(status=PaymentRefund.SUCCEEDED)
    requests = RefundRequest.objects.filter(status=refund_statuses.REFUNDED)
    if order_ids is not None:
        gateway = gateway.filter(payment__order_id__in=order_ids)
        requests = requests.filter(order_id__in=order_ids)
    return set(gateway.values_list("payment__order_id", flat=True)) | set(requests.values_list("order_id", flat=True))


def _notification_facts(notification_filter: dict) -> dict[int, facts.Fact]:
    rows = NotificationLog.objects.filter(**notification_filter).order_by("pk").values_list(*facts.NOTIFICATION_COLUMNS)
    return {row[0]: facts.notification_fact(row) for row in rows}


def _orders_with_dead_executions() -> set[int]:
    keys = Execution.objects.filter(status=executions.DEAD, subject_key__startswith="order:").values_list(
        "subject_key", flat=True
    )
    return {int(key.split(":", 1)[1]) for key in keys if key.split(":", 1)[1].isdigit()}


def _orders_with_open_tickets() -> set[int]:
    return set(
        Ticket.objects.filter(order_id__isnull=False)
        .exclude(status=tickets.CLOSED)
        .values_list("order_id", flat=True)
        .distinct()
    )


def _flagged(flag: str) -> set[int]:
    return set(KpiFact.objects.filter(kind=KpiFact.ORDER, **{flag: True}).values_list("source_id", flat=True))


# --- applying facts -----------------------------------------------------------------------------


def _contribution(target: dict, fact_counters: dict, sign: int) -> None:
    for name in COUNTERS:
        value = fact_counters[name]
        if value:
            target[name] = target.get(name, 0) + sign * value


def _apply(kind: str, new: dict[int, facts.Fact]) -> int:
    """Stores the facts in ``new`` and moves the rollups by each one's change; the number changed."""
    stored = {fact.source_id: fact for fact in KpiFact.objects.filter(kind=kind, source_id__in=list(new))}
    hourly: dict[tuple, dict] = defaultdict(dict)
    backlog: dict[tuple, int] = defaultdict(int)
    writes, replaced = [], []
    for source_id, fact in new.items():
        old = stored.get(source_id)
        if old is not None:
            before = facts.Fact.of(old)
            if before == fact:
                continue
            _contribution(hourly[(before.day, before.hour, before.channel_id)], before.counters, -1)
            if kind == KpiFact.ORDER:
                backlog[(before.channel_id, before.status)] -= 1
            replaced.append(old.pk)
        writes.append(KpiFact(kind=kind, source_id=source_id, **fact.fields()))
        _contribution(hourly[(fact.day, fact.hour, fact.channel_id)], fact.counters, +1)
        if kind == KpiFact.ORDER:
            backlog[(fact.channel_id, fact.status)] += 1
    # A changed fact is replaced (one DELETE, then one INSERT with the new ones): nothing refers to
    # a fact's row, and ``bulk_update`` would build a CASE of every field for every row — under a
    # steady stream of orders that compiling was most of a refresh.
    KpiFact.objects.filter(pk__in=replaced).delete()
    KpiFact.objects.bulk_create(writes, batch_size=BATCH)
    for (day, hour, channel_id), delta in hourly.items():
        delta = {name: value for name, value in delta.items() if value}
        if not delta:
            continue
        key = {"day": day, "hour": hour, "channel_id": channel_id}
        moved = KpiHourly.objects.filter(**key).update(**{name: F(name) + value for name, value in delta.items()})
        if not moved:
            KpiHourly.objects.create(**key, **delta)
    for (channel_id, status), delta_count in backlog.items():
        if not delta_count:
            continue
        moved = KpiBacklog.objects.filter(channel_id=channel_id, status=status).update(count=F("count") + delta_count)
        if not moved:
            KpiBacklog.objects.create(channel_id=channel_id, status=status, count=delta_count)
    return len(writes)


# --- the two entry points -----------------------------------------------------------------------


def kpi_rollups_refresh(*, now: datetime | None = None) -> RefreshResult:
    """Brings the rollups up to ``now`` by recomputing what may have changed since the last refresh
    (see the module docstring); the first refresh rebuilds. One transaction, under the state lock."""
    with transaction.atomic():
        state = _state()
        # Read the clock once the lock is held: a refresh that waited for another must not count
        # orders late (or not) as of before the one it waited for.
        now = now or timezone.now()
        if state.refreshed_until is None:
            changed = _rebuild(now)
            _finish(state, now, changed, rebuilt=True)
            return RefreshResult(True, changed, now)
        since = state.refreshed_until - OVERLAP
        sla = ship_sla()
        order_ids = set(Order.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        order_ids |= set(
            Order.objects.filter(shipped_at__isnull=True, paid_at__gt=since - sla, paid_at__lte=now - sla).values_list(
                "pk", flat=True
            )
        )
        order_ids |= set(
            PaymentRefund.objects.filter(updated_at__gte=since).values_list("payment__order_id", flat=True)
        )
        order_ids |= set(RefundRequest.objects.filter(updated_at__gte=since).values_list("order_id", flat=True))
        order_ids |= _orders_with_dead_executions() ^ _flagged("failed_execution")
        order_ids |= _orders_with_open_tickets() ^ _flagged("open_ticket")
        changed = 0
        for chunk in _chunks(order_ids):
            changed += _apply(KpiFact.ORDER, _order_facts({"pk__in": chunk}, now))
        notification_ids = NotificationLog.objects.filter(updated_at__gte=since).values_list("pk", flat=True)
        for chunk in _chunks(notification_ids):
            changed += _apply(KpiFact.NOTIFICATION, _notification_facts({"pk__in": chunk}))
        _finish(state, now, changed, rebuilt=False)
    return RefreshResult(False, changed, now)


def kpi_rollups_rebuild(
    *, now: datetime | None = None, progress: Callable[[str, int, int], None] | None = None
) -> RefreshResult:
    """Recomputes every fact and sums the rollups from them, in one transaction under the state
    lock; readers see the old rollups until it commits. ``progress(what, done, total)`` is called
    after each batch."""
    with transaction.atomic():
        state = _state()
        now = now or timezone.now()
        changed = _rebuild(now, progress)
        _finish(state, now, changed, rebuilt=True)
    return RefreshResult(True, changed, now)


def _finish(state: KpiRollupState, now: datetime, changed: int, *, rebuilt: bool) -> None:
    state.refreshed_until = now
    state.last_changed = changed
    fields = ["refreshed_until", "last_changed"]
    if rebuilt:
        state.rebuilt_at = now
        fields.append("rebuilt_at")
    state.save(update_fields=fields)


def _rebuild(now: datetime, progress: Callable[[str, int, int], None] | None = None) -> int:
    custom_plans()  # the facts are written, then read back batch by batch (core.db)
    KpiFact.objects.all().delete()
    KpiHourly.objects.all().delete()
    KpiBacklog.objects.all().delete()
    # Read once for every order: the dead-letter list, the ticket queue and the refunds are small.
    failed, ticketed, refunded = _orders_with_dead_executions(), _orders_with_open_tickets(), _refunded_orders()
    written = 0
    for kind, model, read in (
        (
            KpiFact.ORDER,
            Order,
            lambda f: _order_facts(f, now, failed=failed, ticketed=ticketed, refunded=refunded),
        ),
        (KpiFact.NOTIFICATION, NotificationLog, _notification_facts),
    ):
        total = model.objects.count()
        last, done = 0, 0
        while True:
            upper = (
                model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[REBUILD_BATCH - 1 :][:1]
            )
            batch = read({"pk__gt": last} if not upper else {"pk__gt": last, "pk__lte": upper[0]})
            if not batch:
                break
            _facts_insert(kind, batch)
            last, done = max(batch), done + len(batch)
            written += len(batch)
            if progress is not None:
                progress(kind, done, total)
    sums = {name: Sum(name) for name in COUNTERS}
    KpiHourly.objects.bulk_create(
        [KpiHourly(**row) for row in KpiFact.objects.values("day", "hour", "channel_id").annotate(**sums)],
        batch_size=BATCH,
    )
    per_status = KpiFact.objects.filter(kind=KpiFact.ORDER).values("channel_id", "status").annotate(count=Count("id"))
    KpiBacklog.objects.bulk_create([KpiBacklog(**row) for row in per_status], batch_size=BATCH)
    if connection.vendor == "postgresql":
        # The next refresh looks facts up by source among millions of new rows: without fresh
        # statistics (autovacuum comes later) the planner scans the table for each batch.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(KpiFact._meta.db_table)}")
    return written


_COPY_COLUMNS = ("kind", "source_id", *_FACT_FIELDS)


def _facts_insert(kind: str, batch: dict[int, facts.Fact]) -> None:
    """Inserts new facts. On PostgreSQL with ``COPY``: ``bulk_create`` prepares every value of every
    row in Python (about 1 ms an order with these 20 columns), which would make the rebuild of a
    million orders take a quarter of an hour; ``COPY`` of the same rows takes well under a minute.
    It writes only this app's own table, inside the rebuild's transaction."""
    if connection.vendor != "postgresql":
        KpiFact.objects.bulk_create(
            [KpiFact(kind=kind, source_id=source_id, **fact.fields()) for source_id, fact in batch.items()],
            batch_size=BATCH,
        )
        return
    table = connection.ops.quote_name(KpiFact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _COPY_COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for source_id, fact in batch.items():
            copy.write_row((kind, source_id, *(fact.value_of(name) for name in _FACT_FIELDS)))


# Statuses in which an order waits for someone (a payment, the warehouse, the courier, the
# customer's receipt): the backlog the dashboard shows, in the order of the status machine.
BACKLOG_STATUSES = tuple(
    s for s in statuses.STATUSES if s not in (statuses.COMPLETED, statuses.CANCELLED, statuses.CLOSED)
)
