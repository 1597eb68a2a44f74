"""The polling service against the Shopify sandbox: runs, statistics, the lease, failures, the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from connectors.models import Connection, PollCursor, PollRun
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.sandbox import sandbox_outage_set
from connectors.services.connections import ConnectionInput, connection_create
from connectors.services.polling import connection_poll, connections_due_for_poll
from tests.conftest import client_for

SKUS = ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK")


@pytest.fixture
def connection(shopify_stock):
    return connection_create(
        data=ConnectionInput(
            connector="shopify", name="沙箱店铺", credentials={}, settings={"poll_interval_seconds": 60}, sandbox=True
        )
    )


def test_a_poll_brings_in_the_shops_orders_and_counts_what_it_did(connection):
    ShopifySimulator(connection).orders_create(4, skus=SKUS)

    run = connection_poll(connection_id=connection.pk)

    assert (run.status, run.fetched, run.created, run.updated, run.ignored, run.errors) == (
        "succeeded",
        4,
        4,
        0,
        0,
        0,
    )
    assert run.finished_at is not None
    assert Order.objects.filter(channel__code="shopify").count() == 4
    stored = PollCursor.objects.get(connection=connection)
    assert (stored.lease_until, stored.last_polled_at is not None) == (None, True)
    assert "updated_at_min" in stored.cursor
    connection.refresh_from_db()
    assert connection.last_success_at is not None


def test_the_next_poll_overlaps_and_applies_nothing_twice(connection):
    ShopifySimulator(connection).orders_create(3, skus=SKUS)
    connection_poll(connection_id=connection.pk)

    again = connection_poll(connection_id=connection.pk)

    assert (again.fetched, again.created, again.updated + again.ignored) == (3, 0, 3)
    assert Order.objects.count() == 3


def test_a_poll_while_another_holds_the_lease_does_nothing(connection):
    PollCursor.objects.create(connection=connection, lease_until=timezone.now() + timedelta(minutes=1))

    assert connection_poll(connection_id=connection.pk) is None
    assert PollRun.objects.count() == 0


def test_an_outage_fails_the_run_keeps_the_cursor_and_marks_the_health(connection):
    ShopifySimulator(connection).orders_create(2, skus=SKUS)
    sandbox_outage_set(connection, down=True)

    run = connection_poll(connection_id=connection.pk)

    assert run.status == "failed"
    assert "503" in run.error or "unavailable" in run.error.lower()
    assert PollCursor.objects.get(connection=connection).cursor == {}
    connection.refresh_from_db()
    assert connection.consecutive_failures == 1
    assert Order.objects.count() == 0

    sandbox_outage_set(connection, down=False)
    assert connection_poll(connection_id=connection.pk) is None  # the 503 said Retry-After: 30
    later = timezone.now() + timedelta(seconds=31)
    assert connection_poll(connection_id=connection.pk, now=later).created == 2


@pytest.mark.parametrize(("header", "wait"), [("120", 120), ("999999999", 3600)], ids=["as asked", "at most an hour"])
def test_a_retry_after_holds_the_next_poll_back_at_most_an_hour(db, header, wait):
    from connectors.platforms.jd.sandbox import JdSimulator
    from tests.connectors.platforms.support import sandbox_connection

    jd = sandbox_connection("jd")
    JdSimulator(jd).fault_next(503, {"Retry-After": header})
    now = timezone.now()

    assert connection_poll(connection_id=jd.pk, now=now).status == "failed"

    assert PollCursor.objects.get(connection=jd).not_before == now + timedelta(seconds=wait)


def test_an_order_the_centre_refuses_is_counted_and_the_poll_goes_on(connection):
    from commerce.inventory.models import StockItem

    shop = ShopifySimulator(connection)
    shop.orders_create(1, skus=["IPOD2008RED"])
    StockItem.objects.filter(sku="IPOD2008RED").update(on_hand=0)
    shop.orders_create(1, skus=["IPOD2008GREEN"])

    run = connection_poll(connection_id=connection.pk)

    assert (run.status, run.fetched, run.created, run.errors) == ("succeeded", 2, 1, 1)
    assert "insufficient_stock" in run.error


def test_connections_are_due_once_their_interval_has_passed(connection):
    now = timezone.now()
    assert connections_due_for_poll(now=now) == [connection.pk]

    connection_poll(connection_id=connection.pk, now=now)

    assert connections_due_for_poll(now=now + timedelta(seconds=30)) == []
    assert connections_due_for_poll(now=now + timedelta(seconds=61)) == [connection.pk]
    Connection.objects.filter(pk=connection.pk).update(enabled=False)
    assert connections_due_for_poll(now=now + timedelta(seconds=61)) == []


def test_an_admin_polls_now_through_the_api(connection):
    ShopifySimulator(connection).orders_create(2, skus=SKUS)

    answer = client_for("admin").post(f"/api/v1/connections/{connection.pk}/poll/", format="json")
    busy = PollCursor.objects.filter(connection=connection).update(lease_until=timezone.now() + timedelta(minutes=1))
    refused = client_for("admin").post(f"/api/v1/connections/{connection.pk}/poll/", format="json")
    runs = client_for("operator").get(f"/api/v1/connections/{connection.pk}/poll-runs/")

    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["created"]) == ("succeeded", 2)
    assert busy == 1
    assert (refused.status_code, refused.json()["code"]) == (409, "poll_running")
    assert [r["created"] for r in runs.json()["results"]] == [2]


def test_a_poll_stopped_halfway_and_started_again_misses_and_duplicates_nothing(connection, monkeypatch):
    from connectors.platforms.shopify.manifest import CONNECTOR
    from connectors.services import polling

    shop = ShopifySimulator(connection)
    made = shop.orders_create(7, skus=SKUS)
    monkeypatch.setattr(CONNECTOR.poller, "limit", 3)  # pages of 3
    real_ingest = polling.inbound_order_ingest
    seen = []

    def dies_on_the_fifth(**kwargs):
        seen.append(kwargs["order"].external_id)
        if len(seen) == 5:
            raise KeyboardInterrupt  # the worker is stopped in the middle of page 2
        return real_ingest(**kwargs)

    monkeypatch.setattr(polling, "inbound_order_ingest", dies_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        connection_poll(connection_id=connection.pk)
    stopped = PollRun.objects.get()
    assert (stopped.status, stopped.created) == ("failed", 4)  # page 1, and the first order of page 2
    assert stopped.error.startswith("stopped by KeyboardInterrupt")
    assert PollCursor.objects.get(connection=connection).lease_until is None
    monkeypatch.setattr(polling, "inbound_order_ingest", real_ingest)

    again = connection_poll(connection_id=connection.pk)

    assert again.status == "succeeded"
    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(str(o["id"]) for o in made)
    assert again.created == 3  # page 2 read again from its start: its first order is stored already
