"""Incremental refresh equals a full rebuild, after any stream of changes (a Hypothesis property).

The stream drives the real services (orders created with and without a sync lag, paid, shipped,
cancelled, held and released; tickets opened and closed) and writes what has no service here
(dead flow executions and their successful replay, gateway refunds, notifications and their
attempts) the way their owners do, on a clock that jumps minutes to days — so orders also run
past their shipping SLA with no row changing. Refreshes happen at random points; at the end one
more refresh, then the rollups must equal those a rebuild computes at the same moment.
"""

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.orders import services as order_services
from commerce.payments.models import PaymentRefund
from commerce.tickets.services import ticket_close
from connectors.notify.models import NotificationLog
from insights.kpis.models import COUNTERS, KpiBacklog, KpiFact, KpiHourly
from insights.kpis.rollups import kpi_rollups_rebuild, kpi_rollups_refresh
from runtime import statuses as executions
from runtime.models import Execution
from tests.factories import TEST_ACTOR, ChannelFactory, order_input

from .crafted import dead_execution, notification, open_ticket, refund

pytestmark = pytest.mark.django_db

START = datetime.fromisoformat("2026-11-30T15:30:00+00:00")  # half an hour before a Shanghai midnight

OPS = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.sampled_from([None, 0, 300, 301, 4000]), st.booleans()),
    st.tuples(
        st.sampled_from(["pay", "ship", "cancel", "hold", "release", "ticket", "close_ticket"]), st.integers(0, 50)
    ),
    st.tuples(st.sampled_from(["fail", "replay", "refund", "notify", "attempt"]), st.integers(0, 50)),
    st.tuples(st.just("wait"), st.sampled_from([1, 4, 30, 90, 600, 1440, 2900, 3000])),
    st.tuples(st.just("refresh")),
)


def _snapshot() -> tuple:
    hourly = {
        (row.day, row.hour, row.channel_id): tuple(getattr(row, name) for name in COUNTERS)
        for row in KpiHourly.objects.all()
        if any(getattr(row, name) for name in COUNTERS)
    }
    backlog = {(row.channel_id, row.status): row.count for row in KpiBacklog.objects.all() if row.count}
    facts = {
        (f.kind, f.source_id): (f.day, f.hour, f.channel_id, f.status, f.held, f.failed_execution, f.open_ticket)
        + tuple(getattr(f, name) for name in COUNTERS)
        for f in KpiFact.objects.all()
    }
    return hourly, backlog, facts


class World:
    def __init__(self, channels):
        self.channels = channels
        self.orders: list[int] = []
        self.tickets: list[int] = []
        self.executions: list[int] = []
        self.notifications: list[int] = []

    def pick(self, items: list, n: int):
        return items[n % len(items)] if items else None

    def run(self, op: tuple, clock: list) -> None:
        kind = op[0]
        if kind == "wait":
            clock[0] += timedelta(minutes=op[1])
            return
        if kind == "refresh":
            kpi_rollups_refresh()
            return
        if kind == "create":
            _kind, channel_index, lag, paid = op
            now = clock[0]
            extra = {} if lag is None else {"received_at": now, "channel_updated_at": now - timedelta(seconds=lag)}
            order, _created = order_services.order_create(
                data=order_input(
                    self.channels[channel_index],
                    external_id=f"P-{len(self.orders)}",
                    status="paid" if paid else "pending_payment",
                    **extra,
                ),
                actor=TEST_ACTOR,
            )
            self.orders.append(order.pk)
            return
        target = self.pick(self.orders, op[1])
        if target is None:
            return
        moves = {"pay": "paid", "ship": "shipped", "cancel": "cancelled"}
        if kind in moves:
            try:
                order_services.order_transition(order_id=target, to=moves[kind], actor=TEST_ACTOR)
            except Exception as refused:  # a move the status machine does not allow from here
                assert type(refused).__name__ == "InvalidTransition"
        elif kind == "hold":
            order_services.order_hold(order_id=target, reason="check", actor=TEST_ACTOR)
        elif kind == "release":
            order_services.order_release(order_id=target, actor=TEST_ACTOR)
        elif kind == "ticket":
            self.tickets.append(open_ticket(target).pk)
        elif kind == "close_ticket" and self.tickets:
            ticket_close(ticket_id=self.pick(self.tickets, op[1]), actor=TEST_ACTOR)
        elif kind == "fail":
            self.executions.append(dead_execution(target).pk)
        elif kind == "replay" and self.executions:
            execution = Execution.objects.get(pk=self.pick(self.executions, op[1]))
            execution.status, execution.finished_at = executions.SUCCEEDED, timezone.now()
            execution.save(update_fields=["status", "finished_at"])
        elif kind == "refund":
            from commerce.orders.models import Order

            refund(Order.objects.get(pk=target), status=PaymentRefund.SUCCEEDED)
        elif kind == "notify":
            from commerce.orders.models import Order

            log = notification(status="queued", attempts=0, created=clock[0], order=Order.objects.get(pk=target))
            self.notifications.append(log.pk)
        elif kind == "attempt" and self.notifications:
            log = NotificationLog.objects.get(pk=self.pick(self.notifications, op[1]))
            log.attempts += 1
            log.status = "sent" if op[1] % 3 == 0 else ("dead" if log.attempts >= 3 else "failed")
            log.save(update_fields=["attempts", "status", "updated_at"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=st.lists(OPS, min_size=10, max_size=60))
def test_incremental_refresh_equals_a_rebuild(stocked, monkeypatch, stream):
    channels = [ChannelFactory(code="tmall"), ChannelFactory(code="jd")]
    clock = [START]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    with transaction.atomic():
        world = World(channels)
        kpi_rollups_refresh()  # the first refresh: a rebuild of nothing
        for op in stream:
            world.run(op, clock)
        kpi_rollups_refresh()
        incremental = _snapshot()
        kpi_rollups_rebuild()
        rebuilt = _snapshot()
        transaction.set_rollback(True)

    assert incremental == rebuilt
