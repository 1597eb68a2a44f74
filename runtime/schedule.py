"""Schedule triggers: each enabled schedule flow fires on its cron, in its time zone.

One django-q2 schedule (``runtime.schedule_tick``, every minute) calls ``schedule_tick``. For each
enabled schedule flow it finds the latest cron time that has come since the version last fired
(``ScheduleFire``; a new version counts from its publication, missed times are not caught up),
and claims it with a conditional ``UPDATE`` — so however many workers tick, each cron time fires
once. A plain schedule starts one execution; a ``for_each`` schedule starts one per matching
order, at most once per order per flow version unless ``cooldown_minutes`` allows a repeat
(``ForEachFire``, and a unique ``dedupe_key`` on the execution as the backstop).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from builder.models import FlowVersion
from builder.selectors import published_versions
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_list
from core.time import iso_utc
from core.trace import new_trace_id

from . import conf, guards, statuses
from .dispatch import version_problem
from .models import Execution, ForEachFire, ScheduleFire
from .queue import runs_enqueue_on_commit


def latest_cron_time(expression: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The latest time at or before ``now`` the cron expression names, in ``zone``.

    Cron times fall on whole minutes, so ``now``'s own minute counts when the expression names
    it; ``get_prev`` alone would skip it when ``now`` is exactly on the minute.
    """
    minute = now.astimezone(zone).replace(second=0, microsecond=0)
    if croniter.match(expression, minute):
        return minute
    return croniter(expression, minute).get_prev(datetime)


def _claim_fire(version: FlowVersion, now: datetime) -> datetime | None:
    """The cron time to fire now, claimed for this caller; ``None`` if none has come since the last fire."""
    trigger = version.document["trigger"]
    zone = ZoneInfo(trigger["timezone"])
    row = ScheduleFire.objects.filter(flow_version=version).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ScheduleFire.objects.create(flow_version=version, last_fire_at=version.published_at)
        except IntegrityError:
            row = ScheduleFire.objects.get(flow_version=version)
    following = croniter(trigger["cron"], row.last_fire_at.astimezone(zone)).get_next(datetime)
    if following > now:
        return None
    fire_at = latest_cron_time(trigger["cron"], zone, now)
    claimed = ScheduleFire.objects.filter(flow_version=version, last_fire_at=row.last_fire_at).update(
        last_fire_at=fire_at
    )
    return fire_at if claimed else None


def _schedule_context(key: str, fire_at: datetime, **objects) -> dict:
    return {"event": {"id": key, "type": "schedule", "occurred_at": iso_utc(fire_at)}, **objects}


def _fire_once(version: FlowVersion, fire_at: datetime, now: datetime) -> int:
    key = f"schedule:{version.pk}:{iso_utc(fire_at)}"
    with transaction.atomic():
        execution, created = Execution.objects.get_or_create(
            dedupe_key=key,
            defaults={
                "flow_id": version.flow_id,
                "flow_version": version,
                "trigger_type": "schedule",
                "context": _schedule_context(key, fire_at),
                "trace_id": new_trace_id(),
                "created_at": now,
            },
        )
        if created:
            runs_enqueue_on_commit([execution.pk], now=now)
    return int(created)


def for_each_orders(for_each: dict, *, version: FlowVersion, now: datetime):
    """The ids of the orders a ``for_each`` fires for now, in id order, as a lazy queryset.

    The filter is ``order_list``'s, plus ``status_older_than_minutes`` (in the current status
    since at least that long before ``now``); orders this version already fired for — within
    ``cooldown_minutes``, if set — are left out in SQL.
    """
    filters = dict(for_each.get("filter", {}))
    older = filters.pop("status_older_than_minutes", None)
    orders = order_list(filters=filters)
    if older:
        orders = orders.filter(status_changed_at__lte=now - timedelta(minutes=older))
    fired = ForEachFire.objects.filter(flow_version=version, order_id=OuterRef("pk"))
    if for_each.get("cooldown_minutes"):
        fired = fired.filter(last_fired_at__gt=now - timedelta(minutes=for_each["cooldown_minutes"]))
    return orders.filter(~Exists(fired)).order_by("id").values_list("id", flat=True)


def _fire_for_orders(version: FlowVersion, order_ids: list[int], fire_at: datetime, now: datetime, cooldown) -> int:
    """One transaction per chunk: remember the fire per order, create one execution per order.

    The runs are queued with the tick's ``now``: they run as of the time the schedule fired.
    """
    with transaction.atomic():
        known = set(
            ForEachFire.objects.filter(flow_version=version, order_id__in=order_ids).values_list("order_id", flat=True)
        )
        ForEachFire.objects.filter(flow_version=version, order_id__in=known).update(last_fired_at=now)
        ForEachFire.objects.bulk_create(
            [ForEachFire(flow_version=version, order_id=pk, last_fired_at=now) for pk in order_ids if pk not in known],
            ignore_conflicts=True,
        )
        rows = []
        for order in order_list().filter(pk__in=order_ids).order_by("id"):
            key = f"each:{version.pk}:{order.pk}" + (f":{iso_utc(fire_at)}" if cooldown else "")
            rows.append(
                Execution(
                    flow_id=version.flow_id,
                    flow_version=version,
                    trigger_type="schedule",
                    dedupe_key=key,
                    subject_key=f"order:{order.pk}",
                    context=_schedule_context(key, fire_at, order=order_representation(order)),
                    trace_id=new_trace_id(),
                    created_at=now,
                )
            )
        Execution.objects.bulk_create(rows, ignore_conflicts=True)
        runs_enqueue_on_commit(
            Execution.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows], status=statuses.PENDING)
            .order_by("id")
            .values_list("id", flat=True),
            now=now,
        )
    return len(rows)


def _fire_for_each(version: FlowVersion, for_each: dict, fire_at: datetime, now: datetime) -> int:
    """Iterates the matching order ids in chunks by id (keyset), never holding them all in memory."""
    ids = for_each_orders(for_each, version=version, now=now)
    chunk_size = conf.get("ORDERFLOW_FOR_EACH_CHUNK")
    last, total = 0, 0
    while True:
        chunk = list(ids.filter(id__gt=last)[:chunk_size])
        if not chunk:
            return total
        last = chunk[-1]
        total += _fire_for_orders(version, chunk, fire_at, now, for_each.get("cooldown_minutes"))


def schedule_tick(*, now: datetime | None = None) -> dict[int, int]:
    """Fires the schedule flows whose time has come; returns ``{flow id: executions started}``.

    Does nothing while the kill switch is engaged (the times that pass are not caught up). A
    version that no longer validates against the catalog is skipped.
    """
    now = now or timezone.now()
    if guards.kill_switch_engaged():
        return {}
    started: dict[int, int] = {}
    for version in published_versions(trigger_type="schedule"):
        if version_problem(version):
            continue
        fire_at = _claim_fire(version, now)
        if fire_at is None:
            continue
        for_each = version.document["trigger"].get("for_each")
        if for_each:
            started[version.flow_id] = _fire_for_each(version, for_each, fire_at, now)
        else:
            started[version.flow_id] = _fire_once(version, fire_at, now)
    return started
