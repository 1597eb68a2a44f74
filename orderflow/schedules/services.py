"""The django-q2 schedules Orderflow needs, created idempotently by ``manage.py setup_schedules``.

Each schedule is identified by its ``name``. ``ensure_schedules`` creates a missing one, corrects
one whose function or timing drifted, removes duplicates of a name, and otherwise leaves a
schedule alone — its ``next_run`` is not reset, so re-running it (``make run`` does, every time)
never skips or doubles a run.
"""

from dataclasses import dataclass

from django.db import transaction
from django_q.models import Schedule


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str
    minutes: int | None = None


def every(minutes: int, name: str, func: str) -> ScheduleSpec:
    return ScheduleSpec(name=name, func=func, schedule_type=Schedule.MINUTES, minutes=minutes)


SCHEDULES = (
    every(1, "orders.expire_unpaid", "commerce.orders.tasks.orders_expire_unpaid_task"),
    every(1, "orders.timeout_check", "commerce.timeouts.tasks.orders_timeout_check_task"),
    # The runtime's safety net (drain the outbox; resume due delays/retries and runs whose worker died)
    # and its tick of schedule-triggered flows.
    every(1, "runtime.sweep", "runtime.tasks.runtime_sweep_task"),
    every(1, "runtime.schedule_tick", "runtime.tasks.schedule_tick_task"),
    # Connectors: polling platforms, the safety net of webhook deliveries (and lost order imports),
    # the demo's stream of orders through its sandboxes.
    every(1, "connectors.polls", "connectors.tasks.polls_due_task"),
    every(1, "connectors.deliveries_sweep", "connectors.tasks.deliveries_sweep_task"),
    every(1, "connectors.sandbox_stream", "connectors.tasks.sandbox_stream_task"),
    # Stock to the platforms: committed events kick a sync at most once a second; the minute's sync
    # takes what the last kicks of a burst left, the full one every ten minutes repairs drift.
    every(1, "connectors.stock_sync", "connectors.tasks.stock_sync_task"),
    every(10, "connectors.stock_full_sync", "connectors.tasks.stock_sync_full_task"),
    # Shipments: parcels with no tracking event for hours, and couriers without push queried
    # (each parcel every ORDERFLOW_SHIPMENT_POLL_MINUTES, 3 by default).
    every(5, "shipments.stalled_check", "commerce.shipments.tasks.shipments_stalled_check_task"),
    # The smart audit: orders waiting in the audit queue judged again (stock came, address fixed).
    every(1, "screening.recheck", "commerce.screening.tasks.screening_recheck_task"),
    every(1, "couriers.poll", "connectors.couriers.tasks.couriers_poll_task"),
    # The payment verification robot: asks the gateways about attempts no notify confirmed.
    every(1, "payments.sweep", "connectors.payments.tasks.payments_sweep_task"),
    every(1, "refunds.payout", "connectors.payments.tasks.refunds_payout_task"),
    every(5, "refunds.sla_check", "commerce.refunds.tasks.refunds_sla_check_task"),
    # Housekeeping: evidence files of uploads that rolled back; risk sightings past the longest window.
    every(60, "refunds.evidence_orphans", "commerce.refunds.tasks.evidence_orphans_sweep_task"),
    every(60, "risk.sightings_prune", "commerce.risk.tasks.risk_sightings_prune_task"),
    # Daily reconciliation: yesterday's orders against the gateways' bills, once the Asia/Shanghai
    # clock passes ORDERFLOW_RECONCILIATION_AT (02:00); the check every 15 minutes runs it once.
    every(15, "reconciliation.daily", "commerce.reconciliation.tasks.reconciliation_daily_task"),
    # The notification retry queue: failed sends again after their fixed interval, marketing held
    # past quiet hours.
    every(1, "notifications.retry", "connectors.notify.tasks.notifications_retry_task"),
    # The living demo: demo orders paid, picked, shipped and tracked through the sandboxes (a demo
    # install only: it moves orders only through sandbox connections streaming the demo).
    every(1, "connectors.living_demo", "connectors.tasks.living_demo_task"),
    # The dashboards: the KPI rollups brought up to date (incrementally; the first run rebuilds),
    # and the anomaly rules evaluated over them.
    every(1, "insights.kpi_rollups", "insights.kpis.tasks.kpi_rollups_refresh_task"),
    every(5, "insights.alerts_evaluate", "insights.alerts.tasks.alerts_evaluate_task"),
)


def ensure_schedules() -> dict[str, str]:
    """Makes the stored schedules match ``SCHEDULES``; returns ``{name: "created" | "updated" | "unchanged"}``."""
    outcome = {}
    with transaction.atomic():
        for spec in SCHEDULES:
            stored = list(Schedule.objects.select_for_update().filter(name=spec.name).order_by("id"))
            if not stored:
                Schedule.objects.create(
                    name=spec.name,
                    func=spec.func,
                    schedule_type=spec.schedule_type,
                    minutes=spec.minutes,
                    repeats=-1,
                )
                outcome[spec.name] = "created"
                continue
            keep, extra = stored[0], stored[1:]
            if extra:
                Schedule.objects.filter(pk__in=[s.pk for s in extra]).delete()
            wanted = {"func": spec.func, "schedule_type": spec.schedule_type, "minutes": spec.minutes, "repeats": -1}
            drifted = {field: value for field, value in wanted.items() if getattr(keep, field) != value}
            if drifted:
                for field, value in drifted.items():
                    setattr(keep, field, value)
                keep.save(update_fields=list(drifted))
            outcome[spec.name] = "updated" if drifted or extra else "unchanged"
    return outcome
