"""A Douyin shop order in Orderflow's words (fen to yuan, masked receiver), polled into the order centre."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from connectors.base import InboundLine, ProviderError
from connectors.platforms.douyin.manifest import CONNECTOR
from connectors.platforms.douyin.mapping import STATUS_MAP, inbound_order, order_status
from connectors.platforms.douyin.poller import DouyinPoller
from connectors.platforms.douyin.sandbox import DouyinSimulator
from connectors.platforms.marketplace import CHINA

from .support import fixture_json, poll_run, sandbox_connection

ORDER = fixture_json("douyin", "order_searchList.json")["data"]["shop_order_list"][0]
POLLER = DouyinPoller(page_size=10)


def test_the_status_table_is_the_manifests():
    assert CONNECTOR.status_map == STATUS_MAP
    assert STATUS_MAP == {
        "order_status=1": "pending_payment",
        "order_status=105": "paid",
        "order_status=2": "paid",
        "order_status=101": "shipped",
        "order_status=3": "shipped",
        "order_status=5": "completed",
        "order_status=4": "cancelled",
        "order_status=4 after ship_time": "closed",
    }


@pytest.mark.parametrize(
    ("status", "ship_time", "expected"),
    [
        (1, 0, "pending_payment"),
        (2, 0, "paid"),
        (3, 1714530000, "shipped"),
        (5, 1714530000, "completed"),
        (4, 0, "cancelled"),
        (4, 1714530000, "closed"),
    ],
)
def test_statuses_map_through_the_table(status, ship_time, expected):
    assert order_status({"order_status": status, "ship_time": ship_time}) == expected


def test_an_unknown_status_is_a_terminal_error():
    with pytest.raises(ProviderError) as caught:
        order_status({"order_id": "1", "order_status": 42})

    assert (caught.value.code, caught.value.retryable) == ("unknown_status", False)


def test_the_kept_order_maps_fen_to_yuan_and_keeps_the_masked_receiver():
    order = inbound_order(ORDER)

    assert order.external_id == "4980000000000000001"
    assert order.status == "paid"
    assert order.updated_at == datetime(2024, 5, 1, 10, 0, 30, tzinfo=CHINA)
    assert order.placed_at == datetime(2024, 5, 1, 10, 0, tzinfo=CHINA)
    assert (order.customer_name, order.customer_phone) == ("赵*", "186****2233")
    assert (order.province, order.city, order.district) == ("广东省", "深圳市", "南山区")
    assert order.address_line == "粤海街道科技园南区 ** 号"
    assert order.lines == (
        InboundLine(sku="TEA-001", quantity=1, unit_price=Decimal("368.00")),
        InboundLine(sku="SNK-002", quantity=2, unit_price=Decimal("85.00")),  # out_sku_id when code is empty
    )
    assert (order.shipping_amount, order.discount_amount) == (Decimal("0.00"), Decimal("10.00"))  # 538 − 528


def test_a_price_that_is_not_integer_fen_is_a_terminal_error():
    item = {**ORDER["sku_order_list"][0], "goods_price": 368.0}

    with pytest.raises(ProviderError) as caught:
        inbound_order({**ORDER, "sku_order_list": [item]})

    assert (caught.value.code, caught.value.retryable) == ("malformed_response", False)


def test_a_poll_cut_after_a_page_and_restarted_ingests_every_order_once(marketplace_catalog):
    connection = sandbox_connection("douyin")
    created = [
        o["order_id"] for o in DouyinSimulator(connection).orders_create(21, at=timezone.now() - timedelta(hours=1))
    ]
    now = timezone.now()

    cut = poll_run(connection, POLLER, {}, now, max_pages=3)  # counted, then pages 3 and 2 (pages 2 and 1 there)
    rest = poll_run(connection, POLLER, cut.cursor, now)

    assert (cut.cursor["page"], len(cut.ingested)) == (1, 11)
    assert Counter(cut.ingested + rest.ingested) == Counter({order_id: 1 for order_id in created})
    assert Order.objects.filter(channel__code="douyin").count() == 21


def test_an_unpaid_order_then_paid_then_shipped_flows_through(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator = DouyinSimulator(connection)
    order_id = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]["order_id"]
    simulator.orders_update(order_id, order_status=1, pay_time=0, at=timezone.now() - timedelta(minutes=19))
    cursor = poll_run(connection, POLLER, {}, timezone.now()).cursor
    assert Order.objects.get(external_id=order_id).status == "pending_payment"
    simulator.orders_update(order_id, order_status=2, at=timezone.now() + timedelta(seconds=1))
    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))
    simulator.orders_update(order_id, order_status=3, at=timezone.now() + timedelta(seconds=2))

    poll_run(connection, POLLER, cursor, timezone.now() + timedelta(minutes=2))

    assert Order.objects.get(external_id=order_id).status == "shipped"


def test_the_ordering_app_and_scene_are_the_device_and_there_is_no_ip():
    scene = {"b_type": 2, "b_type_desc": "抖音", "sub_b_type": 3, "sub_b_type_desc": "H5"}
    mapped = inbound_order({**ORDER, **scene})

    assert (mapped.client_ip, mapped.device) == (None, "抖音 / H5")
    assert inbound_order({**ORDER, **scene, "sub_b_type_desc": ""}).device == "抖音"
    assert inbound_order(ORDER).device == ""
