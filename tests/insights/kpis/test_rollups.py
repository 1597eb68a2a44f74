"""The incremental refresh on chosen cases, what ingest records for it, and ``rebuild_kpi_rollups``."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from commerce.orders import services as order_services
from commerce.orders.models import Order
from insights.kpis.models import KpiBacklog, KpiHourly, KpiRollupState
from insights.kpis.rollups import kpi_rollups_refresh
from tests.factories import TEST_ACTOR, create_order, order_input

from .crafted import at, dead_execution, open_ticket

pytestmark = pytest.mark.django_db


def _hourly(field: str) -> int:
    return sum(getattr(row, field) for row in KpiHourly.objects.all())


def test_the_first_refresh_rebuilds_and_later_ones_follow_changes(channel, stocked):
    first = create_order(channel, external_id="A")

    result = kpi_rollups_refresh()
    assert (result.rebuilt, result.changed) == (True, 1)

    order_services.order_transition(order_id=first.pk, to="paid", actor=TEST_ACTOR)
    create_order(channel, external_id="B")
    result = kpi_rollups_refresh()

    assert (result.rebuilt, result.changed) == (False, 2)
    assert (_hourly("orders"), _hourly("paid"), str(sum(r.gmv for r in KpiHourly.objects.all()))) == (2, 1, "199.00")
    assert {(row.status, row.count) for row in KpiBacklog.objects.all() if row.count} == {
        ("paid", 1),
        ("pending_payment", 1),
    }
    assert kpi_rollups_refresh().changed == 0  # nothing changed: nothing moves


def test_an_order_turns_late_when_its_sla_runs_out_with_no_row_changing(channel, stocked):
    placed = create_order(channel, external_id="A", status="paid")
    start = timezone.now()
    kpi_rollups_refresh(now=start)
    assert _hourly("sla_due") == 0

    kpi_rollups_refresh(now=start + timedelta(hours=47, minutes=59))
    assert _hourly("sla_due") == 0
    result = kpi_rollups_refresh(now=start + timedelta(hours=48, minutes=1))

    assert (result.changed, _hourly("sla_due"), _hourly("sla_met")) == (1, 1, 0)
    assert Order.objects.get(pk=placed.pk).shipped_at is None


def test_dead_executions_and_tickets_count_while_they_last(channel, stocked):
    order = create_order(channel, external_id="A")
    kpi_rollups_refresh()

    execution = dead_execution(order.pk)
    ticket = open_ticket(order.pk)
    kpi_rollups_refresh()
    assert _hourly("exceptions") == 1

    execution.status = "succeeded"
    execution.save(update_fields=["status"])
    kpi_rollups_refresh()
    assert _hourly("exceptions") == 1  # the ticket is still open
    from commerce.tickets.services import ticket_close

    ticket_close(ticket_id=ticket.pk, actor=TEST_ACTOR)
    kpi_rollups_refresh()
    assert _hourly("exceptions") == 0


def test_a_live_sync_records_its_lag_and_shipping_its_time(channel, stocked):
    received = timezone.now()
    synced, _created = order_services.order_create(
        data=order_input(
            channel,
            external_id="S",
            status="paid",
            channel_updated_at=received - timedelta(minutes=7),
            received_at=received,
        ),
        actor=TEST_ACTOR,
    )
    manual = create_order(channel, external_id="M")

    assert Order.objects.get(pk=synced.pk).channel_lag_seconds == 420
    assert Order.objects.get(pk=manual.pk).channel_lag_seconds is None

    # A later view that arrives sooner keeps the slowest; a slower one replaces it.
    def view(lag_minutes: int, status: str, *, later: timedelta = timedelta(0)) -> None:
        now = timezone.now() + later
        order_services.order_ingest(
            data=order_input(
                channel,
                external_id="S",
                status=status,
                channel_updated_at=now - timedelta(minutes=lag_minutes),
                received_at=now,
            ),
            actor=TEST_ACTOR,
        )

    view(1, "processing")
    assert Order.objects.get(pk=synced.pk).channel_lag_seconds == 420
    view(0, "shipped")
    shipped = Order.objects.get(pk=synced.pk)
    assert shipped.shipped_at is not None and shipped.shipped_at >= received
    assert shipped.channel_lag_seconds == 420
    view(10, "delivered", later=timedelta(minutes=11))  # changed after the last view, arrived 10 min late
    assert Order.objects.get(pk=synced.pk).channel_lag_seconds == 600


def test_the_command_rebuilds_from_scratch_and_prints_progress(channel, stocked):
    create_order(channel, external_id="A", placed_at=at("2026-11-30T16:00:00"))
    KpiHourly.objects.create(day=at("2026-01-01T00:00:00").date(), hour=3, channel_id=channel.pk, orders=99)
    out = StringIO()

    call_command("rebuild_kpi_rollups", stdout=out)

    assert [(row.day.isoformat(), row.hour, row.orders) for row in KpiHourly.objects.all()] == [("2026-12-01", 0, 1)]
    assert "orders: 1/1 (100%)" in out.getvalue()
    assert "rebuilt 1 facts" in out.getvalue()
    assert KpiRollupState.objects.get().rebuilt_at is not None
