"""Polling the simulated shop's orders into the order centre: pages, windows, a poll stopped halfway."""

from datetime import timedelta

from commerce.orders.models import Order
from connectors.platforms.shopify.manifest import CONNECTOR
from connectors.platforms.shopify.poller import ShopifyPoller
from connectors.services.connections import connection_client
from connectors.services.ingest import inbound_order_ingest

from .conftest import SKUS, T0

NOW = T0 + timedelta(minutes=1)


def _ingest(connection, page) -> list[str]:
    return [inbound_order_ingest(connection=connection, order=o, source="poll").outcome for o in page.orders]


def test_the_manifest_offers_polling_and_stock_sync():
    assert CONNECTOR.features == ("webhook", "polling", "stock_sync")
    assert isinstance(CONNECTOR.poller, ShopifyPoller)


def test_a_first_poll_reads_the_last_day_page_by_page_then_overlaps_two_minutes(client, shop):
    created = shop.orders_create(5, skus=SKUS)
    poller = ShopifyPoller(limit=2)

    first = poller.poll(client, {}, NOW)
    second = poller.poll(client, first.cursor, NOW)
    third = poller.poll(client, second.cursor, NOW)

    assert [o.external_id for o in first.orders + second.orders + third.orders] == [str(o["id"]) for o in created]
    assert [first.more, second.more, third.more] == [True, True, False]
    assert set(first.cursor) == {"updated_at_min", "max_updated_at", "page_info"}
    assert first.cursor["updated_at_min"] == second.cursor["updated_at_min"] == "2025-02-28T12:01:00+00:00"
    assert third.cursor == {
        "updated_at_min": "2025-03-01T19:58:00+08:00",  # the newest change seen, less two minutes
        "max_updated_at": "2025-03-01T20:00:00+08:00",
    }


def test_the_next_window_starts_two_minutes_before_the_newest_change_seen(client, shop):
    orders = shop.orders_create(3, skus=SKUS)
    poller = ShopifyPoller(limit=250)
    done = poller.poll(client, {}, NOW)
    shop.clock = lambda: (T0 + timedelta(minutes=10)).timestamp()
    shop.orders_update(orders[1]["id"], fulfillment_status="fulfilled")

    overlapping = poller.poll(client, done.cursor, NOW + timedelta(minutes=10))
    after = poller.poll(client, overlapping.cursor, NOW + timedelta(minutes=11))

    assert [o.external_id for o in overlapping.orders] == [
        str(orders[0]["id"]),
        str(orders[2]["id"]),
        str(orders[1]["id"]),
    ]
    assert [(o.external_id, o.status) for o in after.orders] == [(str(orders[1]["id"]), "shipped")]
    assert after.cursor == {
        "updated_at_min": "2025-03-01T20:08:00+08:00",
        "max_updated_at": "2025-03-01T20:10:00+08:00",
    }


def test_a_poll_stopped_after_its_first_page_resumes_from_the_stored_cursor_and_misses_nothing(
    sandbox_connection, shop
):
    created = shop.orders_create(5, skus=SKUS)
    poller = ShopifyPoller(limit=2)
    stored: dict = {}
    page = poller.poll(connection_client(sandbox_connection), stored, NOW)
    _ingest(sandbox_connection, page)
    stored = page.cursor  # stored once its orders are in; then the worker dies

    outcomes = []
    client = connection_client(sandbox_connection)  # the next run: a new client
    more = True
    while more:
        page = poller.poll(client, stored, NOW)
        outcomes += _ingest(sandbox_connection, page)
        stored, more = page.cursor, page.more

    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(str(o["id"]) for o in created)
    assert outcomes == ["created"] * 3


def test_a_poll_stopped_before_its_cursor_was_stored_reads_that_page_again_harmlessly(sandbox_connection, shop):
    created = shop.orders_create(5, skus=SKUS)
    poller = ShopifyPoller(limit=2)
    client = connection_client(sandbox_connection)
    first = poller.poll(client, {}, NOW)
    _ingest(sandbox_connection, first)
    second = poller.poll(client, first.cursor, NOW)
    _ingest(sandbox_connection, second)  # ingested, but the worker dies before storing second.cursor

    again = poller.poll(connection_client(sandbox_connection), first.cursor, NOW)
    outcomes = _ingest(sandbox_connection, again)
    last = poller.poll(client, again.cursor, NOW)
    outcomes += _ingest(sandbox_connection, last)

    assert [o.external_id for o in again.orders] == [o.external_id for o in second.orders]
    assert outcomes == ["ignored", "ignored", "created"]
    assert Order.objects.count() == len(created) == 5
    assert last.more is False


def test_a_page_info_shopify_no_longer_accepts_reads_the_window_again(client, shop):
    created = shop.orders_create(3, skus=SKUS)
    cursor = {"updated_at_min": "2025-03-01T19:00:00+08:00", "page_info": "expired"}

    page = ShopifyPoller(limit=250).poll(client, cursor, NOW)

    assert [o.external_id for o in page.orders] == [str(o["id"]) for o in created]
    assert page.more is False


def test_a_malformed_order_is_skipped_and_the_poll_goes_on(client, shop, caplog):
    created = shop.orders_create(2, skus=SKUS)
    shop.orders_update(created[0]["id"], line_items=[])

    page = ShopifyPoller().poll(client, {}, NOW)

    assert [o.external_id for o in page.orders] == [str(created[1]["id"])]
    assert f"order {created[0]['id']} skipped: the order has no line_items" in caplog.text
