"""A JD order in Orderflow's words, and polling the order search into the order centre."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from connectors.base import InboundLine, ProviderError
from connectors.platforms.jd.client import ORDER_FIELDS
from connectors.platforms.jd.manifest import CONNECTOR
from connectors.platforms.jd.mapping import STATUS_MAP, inbound_order, order_status
from connectors.platforms.jd.poller import JdPoller
from connectors.platforms.jd.sandbox import JdSimulator
from connectors.platforms.marketplace import CHINA

from .support import fixture_json, poll_run, sandbox_connection

SEARCHED = fixture_json("jd", "pop_order_search_responce.json")["jingdong_pop_order_search_responce"]
ORDER = SEARCHED["searchorderinfo_result"]["orderInfoList"][0]
POLLER = JdPoller(page_size=10)


def test_the_status_table_is_the_manifests():
    assert CONNECTOR.status_map == STATUS_MAP
    assert STATUS_MAP == {
        "WAIT_SELLER_STOCK_OUT": "paid",
        "WAIT_SELLER_DELIVERY": "paid",
        "PAUSE": "paid",
        "POP_ORDER_PAUSE": "paid",
        "LOCKED": "paid",
        "WAIT_GOODS_RECEIVE_CONFIRM": "shipped",
        "FINISHED_L": "completed",
        "TRADE_CANCELED": "cancelled",
    }
    assert order_status({"orderState": "FINISHED_L"}) == "completed"


def test_an_unknown_state_is_a_terminal_error():
    with pytest.raises(ProviderError) as caught:
        order_status({"orderId": "1", "orderState": "SOMETHING_NEW"})

    assert (caught.value.code, caught.value.retryable) == ("unknown_status", False)


def test_the_kept_order_maps_to_an_inbound_order():
    order = inbound_order(ORDER)

    assert order.external_id == "280000000001"
    assert order.status == "paid"
    assert order.updated_at == datetime(2024, 5, 1, 10, 0, 12, tzinfo=CHINA)
    assert (order.placed_at, order.paid_at) == (
        datetime(2024, 5, 1, 10, 0, tzinfo=CHINA),
        datetime(2024, 5, 1, 10, 0, 12, tzinfo=CHINA),
    )
    assert (order.customer_name, order.customer_phone) == ("李*", "139****0001")
    assert (order.province, order.city, order.district) == ("北京市", "北京市", "朝阳区")
    assert order.address_line == "北京市北京市朝阳区望京街道阜通东大街 6 号"
    assert order.lines == (
        InboundLine(sku="TEA-001", quantity=1, unit_price=Decimal("368.00")),
        InboundLine(sku="SNK-001", quantity=1, unit_price=Decimal("129.00")),
    )
    assert (order.shipping_amount, order.discount_amount) == (Decimal("0.00"), Decimal("10.00"))


def test_a_zero_payment_time_is_no_payment_time_and_a_sku_without_merchant_code_is_refused():
    unpaid = inbound_order({**ORDER, "paymentConfirmTime": "0001-01-01 00:00:00"})
    item = {**ORDER["itemInfoList"][0], "outerSkuId": ""}

    with pytest.raises(ProviderError) as caught:
        inbound_order({**ORDER, "itemInfoList": [item]})

    assert unpaid.paid_at is None
    assert (caught.value.code, caught.value.retryable) == ("unmapped_sku", False)


def test_a_poll_cut_after_a_page_and_restarted_ingests_every_order_once(marketplace_catalog):
    connection = sandbox_connection("jd")
    created = [o["orderId"] for o in JdSimulator(connection).orders_create(23, at=timezone.now() - timedelta(hours=1))]
    now = timezone.now()

    cut = poll_run(connection, POLLER, {}, now, max_pages=2)
    rest = poll_run(connection, POLLER, cut.cursor, now)

    assert (cut.cursor["page"], len(cut.ingested)) == (2, 3)  # counted, then page 3: the 3 oldest
    assert Counter(cut.ingested + rest.ingested) == Counter({order_id: 1 for order_id in created})
    assert Order.objects.filter(channel__code="jd").count() == 23


def test_shipping_and_completion_flow_through_later_polls(marketplace_catalog):
    connection = sandbox_connection("jd")
    simulator = JdSimulator(connection)
    order_id = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=30))[0]["orderId"]
    cursor = poll_run(connection, POLLER, {}, timezone.now()).cursor
    simulator.orders_update(order_id, orderState="WAIT_GOODS_RECEIVE_CONFIRM", at=timezone.now() + timedelta(seconds=1))
    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))
    assert Order.objects.get(external_id=order_id).status == "shipped"
    simulator.orders_update(order_id, orderState="FINISHED_L", at=timezone.now() + timedelta(seconds=2))

    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))

    assert Order.objects.get(external_id=order_id).status == "completed"


def test_the_order_source_is_the_device_and_there_is_no_ip():
    mapped = inbound_order(ORDER)  # the kept search answer names its orderSource

    assert (mapped.client_ip, mapped.device) == (None, "移动端订单")
    assert inbound_order({k: v for k, v in ORDER.items() if k != "orderSource"}).device == ""
    assert "orderSource" in ORDER_FIELDS.split(",")  # the search asks for it
