"""``bench.tracking.steady_stages``: where a steady push's time went, read from the rows the
pipeline stamps (PostgreSQL: the benchmark's own SQL, ``percentile_cont``)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench.tracking import STAGES, kuaidi100_connection_create, stages_text, steady_stages
from commerce.outbox.models import OutboxEvent
from connectors.models import Connection, WebhookDelivery
from runtime import statuses
from runtime.models import Execution
from tests.runtime.conftest import action, event_flow, publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _delivery(conn, received, took_ms, key):
    delivery = WebhookDelivery.objects.create(
        connection=conn, body=b"{}", verified=True, dedup_key=key, topic="push", outcome="processed"
    )
    # received_at is stamped on insert: set both moments afterwards
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=received, processed_at=received + timedelta(milliseconds=took_ms)
    )


def test_each_stage_is_measured_over_the_rows_stamped_in_the_window_only():
    now = timezone.now()
    window = now - timedelta(seconds=10)
    courier = Connection.objects.get(pk=kuaidi100_connection_create())
    _delivery(courier, now - timedelta(minutes=5), 9_000, "before the window")  # not counted
    for n, took in enumerate((40, 60, 80)):
        _delivery(courier, now - timedelta(seconds=5), took, f"push-{n}")
    event = OutboxEvent.objects.create(
        name="shipment.signed",
        subject_type="shipment",
        subject_id="1",
        payload={},
        actor={},
        occurred_at=now - timedelta(seconds=4),
        dispatched_at=now - timedelta(seconds=4) + timedelta(milliseconds=100),
    )
    flow = publish(event_flow("shipment.signed", [action("done", "order.tag", {"tag": "done"})]))
    created = now - timedelta(seconds=3)
    Execution.objects.create(
        flow=flow,
        flow_version=flow.current_version,
        trigger_type="event",
        event_id=event.pk,
        status=statuses.SUCCEEDED,
        created_at=created,
        started_at=created + timedelta(milliseconds=1_500),
        finished_at=created + timedelta(milliseconds=1_545),
    )

    stages = steady_stages(connection.connection, since=window.timestamp())

    assert list(stages) == [label for label, *_ in STAGES]
    assert stages["push answered"][0] == pytest.approx(60, abs=0.01)
    assert stages["push answered"][1] == pytest.approx(79.6, abs=0.01)  # not the 9 s push before the window
    assert stages["event → dispatched"] == pytest.approx((100, 100), abs=0.01)
    assert stages["dispatched → run started"] == pytest.approx((1_500, 1_500), abs=0.01)
    assert stages["run"] == pytest.approx((45, 45), abs=0.01)
    assert "dispatched → run started 1,500 / 1,500" in stages_text(stages)


def test_a_stage_with_no_rows_reads_as_not_a_number():
    stages = steady_stages(connection.connection, since=timezone.now().timestamp())

    assert all(p50 != p50 and p99 != p99 for p50, p99 in stages.values())  # NaN
