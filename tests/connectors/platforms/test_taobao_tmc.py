"""TMC over HTTP: consume → full info → ingest → confirm, and no confirm for a trade that was not ingested."""

import pytest
from django.utils import timezone

from commerce.orders.errors import UnknownSku
from commerce.orders.models import Order
from connectors.platforms.taobao.poller import TRADE_TOPICS, TaobaoPoller, message_tid
from connectors.platforms.taobao.sandbox import TaobaoSimulator
from connectors.services.connections import connection_client
from connectors.services.ingest import inbound_order_ingest

from .support import fixture_json, poll_run, sandbox_connection

POLLER = TaobaoPoller()
TMC = {"tmc_enabled": True}


def states(simulator: TaobaoSimulator) -> list[str]:
    return [queued["state"] for queued in simulator.messages()]


def test_messages_bring_their_trades_and_are_confirmed_only_after_the_trades_are_ingested(marketplace_catalog):
    connection = sandbox_connection("taobao", settings=TMC)
    simulator = TaobaoSimulator(connection)
    tids = [t["tid_str"] for t in simulator.orders_create(3)]
    client = connection_client(connection)

    page = POLLER.poll(client, {}, timezone.now())

    assert [order.external_id for order in page.orders] == tids
    assert page.more is True
    assert page.cursor == {"tmc_confirm": [7000000001, 7000000002, 7000000003]}
    assert states(simulator) == ["delivered"] * 3  # handed out, not confirmed
    for order in page.orders:
        inbound_order_ingest(connection=connection, order=order, source="poll")

    following = POLLER.poll(client, page.cursor, timezone.now())

    assert states(simulator) == ["confirmed"] * 3
    assert "tmc_confirm" not in following.cursor  # the queue was empty: the incremental list was read
    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(tids)


def test_a_trade_that_fails_to_ingest_leaves_its_message_unconfirmed_and_it_comes_again(marketplace_catalog):
    connection = sandbox_connection("taobao", settings=TMC)
    simulator = TaobaoSimulator(connection)
    simulator.configure(tmc_redeliver_seconds=0)
    simulator.orders_create(1, skus=["TEA-404"])  # not in the order centre's catalogue
    client = connection_client(connection)
    stored: dict = {}

    page = POLLER.poll(client, stored, timezone.now())
    with pytest.raises(UnknownSku):
        inbound_order_ingest(connection=connection, order=page.orders[0], source="poll")
    again = POLLER.poll(client, stored, timezone.now())  # the run failed: its cursor was never stored

    assert states(simulator) == ["delivered"]
    assert [order.external_id for order in again.orders] == [page.orders[0].external_id]
    assert Order.objects.count() == 0


def test_a_status_change_message_updates_the_order(marketplace_catalog):
    connection = sandbox_connection("taobao", settings=TMC)
    simulator = TaobaoSimulator(connection)
    tid = simulator.orders_create(1)[0]["tid_str"]
    run = poll_run(connection, POLLER, {}, timezone.now())
    simulator.orders_update(tid, status="TRADE_CLOSED", at=timezone.now() + timezone.timedelta(seconds=1))

    poll_run(connection, POLLER, run.cursor, timezone.now())

    assert Order.objects.get(external_id=tid).status == "cancelled"
    assert [q["message"]["topic"] for q in simulator.messages()] == [
        "taobao_trade_TradeCreate",
        "taobao_trade_TradeClose",
    ]
    assert states(simulator) == ["confirmed", "confirmed"]


def test_a_batch_fetches_each_named_trade_once_and_skips_other_topics():
    batch = fixture_json("taobao", "tmc_messages_consume_response.json")["tmc_messages_consume_response"]
    messages = batch["messages"]["tmc_message"]
    fullinfo = fixture_json("taobao", "trade_fullinfo_get_response.json")["trade_fullinfo_get_response"]["trade"]
    fetched = []

    class Client:
        def trade_fullinfo(self, tid, fields):
            fetched.append(tid)
            return {**fullinfo, "tid_str": tid}

    orders = POLLER.messages_inbound(Client(), messages)

    assert [m["topic"] for m in messages] == [
        "taobao_trade_TradeCreate",
        "taobao_trade_TradeChanged",
        "taobao_trade_TradeClose",
        "taobao_item_ItemUpdate",
    ]
    assert fetched == ["2231958349000001", "2231958349000002"]
    assert [order.external_id for order in orders] == fetched
    assert [message_tid(m) for m in messages] == ["2231958349000001", "2231958349000001", "2231958349000002", None]


def test_every_trade_topic_the_poller_acts_on_has_a_kept_message():
    batch = fixture_json("taobao", "tmc_messages_consume_response.json")["tmc_messages_consume_response"]

    assert set(TRADE_TOPICS) <= {message["topic"] for message in batch["messages"]["tmc_message"]}
