"""Polling TOP's incremental trade list through the sandbox, into the order centre."""

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from commerce.orders.models import Order
from connectors.platforms.taobao.poller import TaobaoPoller
from connectors.platforms.taobao.sandbox import TaobaoSimulator

from .support import poll_run, sandbox_connection

POLLER = TaobaoPoller(page_size=20)


def tmall_orders() -> Counter:
    return Counter(Order.objects.filter(channel__code="tmall").values_list("external_id", flat=True))


def test_a_window_of_three_pages_is_counted_then_read_from_its_last_page_back(marketplace_catalog):
    connection = sandbox_connection("taobao")
    simulator = TaobaoSimulator(connection)
    at = timezone.now() - timedelta(hours=2)
    created = [trade["tid_str"] for trade in simulator.orders_create(45, at=at)]

    run = poll_run(connection, POLLER, {}, timezone.now())

    assert run.pages == 4  # the count, then pages 3, 2, 1
    assert sorted(run.ingested) == sorted(created)
    assert run.ingested[:5] == created[4::-1]  # the last page holds the oldest trades, newest first
    assert tmall_orders() == Counter({tid: 1 for tid in created})
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert set(run.cursor) == {"start"}


def test_a_poll_cut_after_a_page_and_restarted_from_the_stored_cursor_ingests_every_trade_once(marketplace_catalog):
    connection = sandbox_connection("taobao")
    created = [
        t["tid_str"] for t in TaobaoSimulator(connection).orders_create(45, at=timezone.now() - timedelta(hours=1))
    ]
    now = timezone.now()

    cut = poll_run(connection, POLLER, {}, now, max_pages=2)
    rest = poll_run(connection, POLLER, cut.cursor, now)

    assert cut.cursor["page"] == 2
    assert len(cut.ingested) == 5  # the count, then the last page: the 5 oldest
    assert sorted(cut.ingested + rest.ingested) == sorted(created)
    assert tmall_orders() == Counter({tid: 1 for tid in created})


def test_a_crash_between_ingest_and_storing_the_cursor_repeats_a_page_and_duplicates_nothing(marketplace_catalog):
    connection = sandbox_connection("taobao")
    created = [
        t["tid_str"] for t in TaobaoSimulator(connection).orders_create(45, at=timezone.now() - timedelta(hours=1))
    ]
    now = timezone.now()
    first = poll_run(connection, POLLER, {}, now, max_pages=2)
    stored = first.cursor
    poll_run(connection, POLLER, stored, now, max_pages=1)  # ingested page 2, then crashed: the cursor stays

    again = poll_run(connection, POLLER, stored, now)

    assert tmall_orders() == Counter({tid: 1 for tid in created})
    assert len(again.ingested) == 40  # pages 2 and 1, page 2 a second time
    assert Order.objects.filter(channel__code="tmall").count() == 45


def test_a_trade_changed_while_its_window_is_read_is_missed_neither_there_nor_after(marketplace_catalog):
    connection = sandbox_connection("taobao")
    simulator = TaobaoSimulator(connection)
    created = [t["tid_str"] for t in simulator.orders_create(45, at=timezone.now() - timedelta(hours=3))]
    first = poll_run(connection, POLLER, {}, timezone.now(), max_pages=2)  # counted, then page 3: the 5 oldest
    # created[30] is on page 1, not read yet; it leaves the window and every older trade moves up a place.
    simulator.orders_update(created[30], status="WAIT_BUYER_CONFIRM_GOODS")

    rest = poll_run(connection, POLLER, first.cursor, timezone.now() + timedelta(minutes=2))

    read = Counter(first.ingested + rest.ingested)
    assert set(read) == set(created)
    assert read[created[4]] == 2  # moved from page 3 into page 2: read twice, harmlessly
    assert Order.objects.get(external_id=created[30]).status == "shipped"  # read by the next window
    assert Order.objects.filter(channel__code="tmall").count() == 45


def test_a_shop_away_for_three_days_is_caught_up_window_by_window(marketplace_catalog):
    connection = sandbox_connection("taobao")
    simulator = TaobaoSimulator(connection)
    now = timezone.now()
    created = []
    for days in (3, 2, 1):
        created += [
            t["tid_str"] for t in simulator.orders_create(3, at=now - timedelta(days=days) + timedelta(hours=1))
        ]

    run = poll_run(connection, POLLER, {"start": (now - timedelta(days=3)).isoformat()}, now)

    assert run.pages == 4  # three full days and the last minutes, one page each
    assert tmall_orders() == Counter({tid: 1 for tid in created})


def test_a_status_change_reaches_the_order_centre_on_the_next_poll(marketplace_catalog):
    connection = sandbox_connection("taobao")
    simulator = TaobaoSimulator(connection)
    tid = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=30))[0]["tid_str"]
    cursor = poll_run(connection, POLLER, {}, timezone.now()).cursor
    simulator.orders_update(tid, status="WAIT_BUYER_CONFIRM_GOODS", at=timezone.now() + timedelta(seconds=1))
    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))
    simulator.orders_update(tid, status="TRADE_FINISHED", at=timezone.now() + timedelta(seconds=2))

    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))

    assert Order.objects.get(external_id=tid).status == "completed"
