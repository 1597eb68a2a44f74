"""What a web process's follower reads: new rows after its cursors, and rows that committed late."""

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from commerce.outbox.models import OutboxEvent
from insights.live.follower import Cursor, Follower, live_batch, live_read_new
from insights.live.selectors import kpi_rollups_mark


def event(pk: int, name: str = "order.created", payload: dict | None = None) -> OutboxEvent:
    return OutboxEvent.objects.create(
        pk=pk, name=name, subject_type="order", subject_id="1", payload=payload or {}, actor={}, trace_id="t"
    )


def cursors(outbox: int) -> dict[str, Cursor]:
    return {"outbox": Cursor(outbox), "notification": Cursor(0), "read": Cursor(0)}


def test_an_id_committed_after_a_larger_one_is_still_read(settings):
    at = cursors(outbox=9)
    event(10)
    event(12)  # 11 is taken by a transaction that has not committed yet

    first = [row["id"] for row in live_read_new(at)["outbox"]]
    event(11)  # ... it commits
    second = [row["id"] for row in live_read_new(at)["outbox"]]
    third = [row["id"] for row in live_read_new(at)["outbox"]]

    assert (first, second, third) == ([10, 12], [11], [])
    assert at["outbox"].last == 12 and at["outbox"].missing == {}


def test_a_hole_left_by_a_rollback_is_given_up_after_a_while(settings):
    settings.ORDERFLOW_LIVE_GAP_SECONDS = 0.05
    at = cursors(outbox=0)
    event(1)
    event(3)

    live_read_new(at)
    assert list(at["outbox"].missing) == [2]
    time.sleep(0.1)
    live_read_new(at)

    assert at["outbox"].missing == {}


def test_the_batch_carries_each_event_with_its_readers_and_nothing_of_the_customer():
    order = {
        "id": 5,
        "number": "OF2612060000000001",
        "status": "paid",
        "channel": "tmall",
        "total_amount": "199.00",
        "customer": {"name": "张伟", "phone": "13800138000"},
    }
    at = cursors(outbox=0)
    event(1, "order.paid", {"order": order})
    OutboxEvent.objects.create(
        pk=2, name="inventory.low_stock", subject_type="stock_item", subject_id="9", payload={}, actor={}, trace_id="t"
    )
    OutboxEvent.objects.create(
        pk=3, name="secret.thing", subject_type="vault", subject_id="1", payload={}, actor={}, trace_id="t"
    )

    batch = live_batch(live_read_new(at))

    everyone = ["admin", "finance", "manager", "operator", "supervisor"]
    assert [(e["detail"]["type"], e["detail"].get("order"), e["roles"]) for e in batch["events"]] == [
        (
            "order.paid",
            {"id": 5, "number": "OF2612060000000001", "status": "paid", "channel": "tmall", "total_amount": "199.00"},
            everyone,
        ),
        ("inventory.low_stock", None, everyone),
    ]
    assert (batch["inbox_roles"], batch["inbox_users"]) == ([], [])


class RecordingLayer:
    def __init__(self):
        self.sent: list[tuple[float, str]] = []

    async def group_send(self, group, message):
        for event in message["events"]:
            self.sent.append((asyncio.get_running_loop().time(), event["detail"]["type"]))


def test_kpis_changed_goes_at_once_then_at_most_once_per_quiet_time(settings):
    settings.ORDERFLOW_LIVE_KPIS_SECONDS = 0.2

    async def scenario():
        follower = Follower(group="g")
        follower.layer = layer = RecordingLayer()
        loop = asyncio.get_running_loop()
        start = loop.time()
        for at in (0, 0.05, 0.1, 0.15, 0.5):  # four changes in the first quiet time, one later
            await asyncio.sleep(max(start + at - loop.time(), 0))
            follower.kpis_touched()
        await asyncio.sleep(0.3)
        await follower.stop()
        return [(round(when - start, 1), kind) for when, kind in layer.sent]

    sent = async_to_sync(scenario)()

    assert sent == [(0.0, "kpis.changed"), (0.2, "kpis.changed"), (0.5, "kpis.changed")]


def test_a_refresh_of_the_kpi_rollups_that_changed_figures_is_announced(settings, db):
    from insights.kpis.models import KpiRollupState

    settings.ORDERFLOW_LIVE_KPIS_SECONDS = 0
    state = KpiRollupState.objects.create(refreshed_until=None, last_changed=0)

    async def scenario():
        follower = Follower(group="g")
        follower.layer = layer = RecordingLayer()
        follower.kpis_mark = await database_sync_to_async(kpi_rollups_mark)()
        follower.cursors = cursors(outbox=0)
        await follower.look()  # nothing new
        await database_sync_to_async(_refreshed)(state, changed=0)
        await follower.look()  # refreshed, but no figure moved
        await database_sync_to_async(_refreshed)(state, changed=3)
        await follower.look()  # figures moved: the dashboards are told
        await follower.look()  # nothing new since
        await follower.stop()
        return [kind for _when, kind in layer.sent]

    assert async_to_sync(scenario)() == ["kpis.changed"]


def _refreshed(state, *, changed: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    state.refreshed_until = (state.refreshed_until or timezone.now()) + timedelta(seconds=1)
    state.last_changed = changed
    state.save()
