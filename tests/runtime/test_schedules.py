"""Schedule triggers: cron in the flow's time zone, once per cron time, and for_each orders."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from django.utils import timezone

from runtime.models import Execution
from runtime.schedule import latest_cron_time, schedule_tick
from runtime.services import kill_switch_set
from tests.factories import create_order
from tests.runtime.conftest import action, publish

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _schedule(cron: str, *, for_each: dict | None = None, name: str = "Scheduled"):
    trigger = {"type": "schedule", "cron": cron, "timezone": "Asia/Shanghai"}
    if for_each is not None:
        trigger["for_each"] = for_each
    text = "Order {{ order.number }}" if for_each else "Morning report"
    return publish(
        {
            "format": "orderflow.flow/v1",
            "name": name,
            "trigger": trigger,
            "nodes": [action("note", "notify.inbox", {"to_role": "manager", "title": text})],
            "edges": [{"from": "trigger", "to": "note"}],
        }
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("08:02:00.000000", "08:02"),  # exactly on a cron time: that time
        ("08:02:59.500000", "08:02"),  # half a second before the next one: still the last one
        ("08:02:59.999999", "08:02"),
    ],
)
def test_the_latest_cron_time_is_never_after_now(now, expected):
    at = datetime.fromisoformat(f"2026-11-22T{now}+00:00")

    latest = latest_cron_time("* * * * *", SHANGHAI, at)

    assert latest <= at
    assert latest.astimezone(ZoneInfo("UTC")).strftime("%H:%M") == expected


def test_a_tick_just_before_a_minute_ends_leaves_the_next_minute_to_fire():
    flow = _schedule("* * * * *")
    start = datetime.fromisoformat("2030-01-01T08:02:59.700000+00:00")

    assert schedule_tick(now=start) == {flow.pk: 1}
    assert schedule_tick(now=start + timedelta(minutes=1)) == {flow.pk: 1}


def test_a_cron_fires_once_per_time_in_its_time_zone():
    flow = _schedule("0 9 * * *")
    nine = croniter("0 9 * * *", timezone.now().astimezone(SHANGHAI)).get_next(datetime)
    assert nine.utcoffset() == timedelta(hours=8)

    assert schedule_tick(now=nine - timedelta(minutes=1)) == {}
    assert schedule_tick(now=nine + timedelta(seconds=20)) == {flow.pk: 1}
    assert schedule_tick(now=nine + timedelta(seconds=50)) == {}
    assert schedule_tick(now=nine + timedelta(days=1, seconds=10)) == {flow.pk: 1}

    runs = list(Execution.objects.filter(flow=flow).order_by("id"))
    assert [r.context["event"]["occurred_at"] for r in runs] == [
        nine.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
        (nine + timedelta(days=1)).astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
    ]
    assert [(r.trigger_type, r.subject_key, r.status) for r in runs] == [("schedule", "", "pending")] * 2


def test_for_each_fires_once_per_order_and_version(channel, stocked):
    flow = _schedule("* * * * *", for_each={"collection": "orders", "filter": {"status": "pending_payment"}})
    first = create_order(channel, external_id="S-1")
    create_order(channel, external_id="S-2", status="paid")
    now = timezone.now() + timedelta(minutes=1)

    assert schedule_tick(now=now) == {flow.pk: 1}
    second = create_order(channel, external_id="S-3")
    assert schedule_tick(now=now + timedelta(minutes=1)) == {flow.pk: 1}
    assert schedule_tick(now=now + timedelta(minutes=2)) == {flow.pk: 0}

    assert sorted(Execution.objects.filter(flow=flow).values_list("subject_key", flat=True)) == sorted(
        [f"order:{first.pk}", f"order:{second.pk}"]
    )
    execution = Execution.objects.get(subject_key=f"order:{first.pk}")
    assert execution.context["order"]["number"] == first.number
    assert execution.dedupe_key == f"each:{flow.current_version_id}:{first.pk}"


def test_for_each_with_a_cooldown_fires_again_once_it_has_passed(channel, stocked):
    flow = _schedule(
        "* * * * *",
        for_each={"collection": "orders", "filter": {"status": "pending_payment"}, "cooldown_minutes": 60},
    )
    order = create_order(channel, external_id="S-4")
    now = timezone.now() + timedelta(minutes=1)

    fired = [schedule_tick(now=now + timedelta(minutes=m)).get(flow.pk) for m in (0, 30, 59, 60, 61)]

    assert fired == [1, 0, 0, 1, 0]
    assert Execution.objects.filter(subject_key=f"order:{order.pk}").count() == 2


def test_for_each_reads_orders_in_chunks(channel, stocked, settings):
    settings.ORDERFLOW_FOR_EACH_CHUNK = 2
    flow = _schedule("* * * * *", for_each={"collection": "orders", "filter": {"status": "pending_payment"}})
    orders = [create_order(channel, external_id=f"S-C{i}") for i in range(5)]

    assert schedule_tick(now=timezone.now() + timedelta(minutes=1)) == {flow.pk: 5}
    assert sorted(Execution.objects.values_list("subject_key", flat=True)) == sorted(f"order:{o.pk}" for o in orders)


def test_nothing_fires_while_the_kill_switch_is_engaged():
    _schedule("* * * * *")
    kill_switch_set(engaged=True, reason="incident", user=None)

    assert schedule_tick(now=timezone.now() + timedelta(minutes=5)) == {}
    assert Execution.objects.count() == 0
