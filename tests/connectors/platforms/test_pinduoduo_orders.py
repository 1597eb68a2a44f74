"""A Pinduoduo order in Orderflow's words: the status table, refunds, yuan, and polling into the order centre."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from connectors.base import InboundLine, ProviderError
from connectors.platforms.marketplace import CHINA
from connectors.platforms.pinduoduo.manifest import CONNECTOR
from connectors.platforms.pinduoduo.mapping import STATUS_MAP, inbound_order, order_status
from connectors.platforms.pinduoduo.poller import PinduoduoPoller
from connectors.platforms.pinduoduo.sandbox import PinduoduoSimulator

from .support import fixture_json, poll_run, sandbox_connection

LISTED = fixture_json("pinduoduo", "order_number_list_increment_get_response.json")
ORDER = LISTED["order_sn_increment_get_response"]["order_sn_list"][0]
POLLER = PinduoduoPoller(page_size=10)


def test_the_status_table_is_the_manifests():
    assert CONNECTOR.status_map == STATUS_MAP
    assert STATUS_MAP == {
        "order_status=1": "paid",
        "order_status=2": "shipped",
        "order_status=3": "delivered",
        "refund_status=4,order_status=1": "cancelled",
        "refund_status=4,order_status=2": "closed",
        "refund_status=4,order_status=3": "closed",
    }


@pytest.mark.parametrize(
    ("order_status_", "refund_status", "expected"),
    [
        (1, 1, "paid"),
        (2, 1, "shipped"),
        (3, 1, "delivered"),
        (1, 2, "paid"),  # after-sales under way: the status stays
        (2, 3, "shipped"),  # refunding: the status stays
        (1, 4, "cancelled"),  # refunded before shipping
        (2, 4, "closed"),
        (3, 4, "closed"),
    ],
)
def test_refund_status_is_considered(order_status_, refund_status, expected):
    assert order_status({"order_status": order_status_, "refund_status": refund_status}) == expected


def test_an_unknown_order_status_is_a_terminal_error():
    with pytest.raises(ProviderError) as caught:
        order_status({"order_sn": "x", "order_status": 9, "refund_status": 1})

    assert (caught.value.code, caught.value.retryable) == ("unknown_status", False)


def test_the_kept_order_maps_with_yuan_numbers_and_masked_receiver():
    order = inbound_order(ORDER)

    assert order.external_id == "240501-310000000000001"
    assert order.status == "paid"
    assert order.updated_at == datetime(2024, 5, 1, 10, 0, 5, tzinfo=CHINA)
    assert order.placed_at == datetime(2024, 5, 1, 10, 0, tzinfo=CHINA)
    assert order.paid_at == datetime(2024, 5, 1, 10, 0, 3, tzinfo=CHINA)
    assert (order.customer_name, order.customer_phone) == ("王*", "138****5678")
    assert (order.province, order.city, order.district, order.address_line) == (
        "上海市",
        "上海市",
        "浦东新区",
        "张江镇碧波路 690 号",
    )
    assert order.lines == (
        InboundLine(sku="TEA-002", quantity=1, unit_price=Decimal("168.00")),
        InboundLine(sku="SNK-002", quantity=3, unit_price=Decimal("62.00")),  # the goods' merchant code
    )
    assert (order.shipping_amount, order.discount_amount) == (Decimal("0.00"), Decimal("5.00"))  # 354 − 349


def test_a_line_without_merchant_code_is_a_terminal_error():
    item = {**ORDER["item_list"][0], "outer_id": "", "outer_goods_id": ""}

    with pytest.raises(ProviderError) as caught:
        inbound_order({**ORDER, "item_list": [item]})

    assert (caught.value.code, caught.value.retryable) == ("unmapped_sku", False)


def pdd_orders() -> Counter:
    return Counter(Order.objects.filter(channel__code="pdd").values_list("external_id", flat=True))


def test_a_poll_cut_after_a_page_and_restarted_ingests_every_order_once(marketplace_catalog):
    connection = sandbox_connection("pinduoduo")
    simulator = PinduoduoSimulator(connection)
    created = [o["order_sn"] for o in simulator.orders_create(25, at=timezone.now() - timedelta(minutes=10))]
    now = timezone.now()
    start = {"start": (now - timedelta(minutes=20)).isoformat()}

    cut = poll_run(connection, POLLER, start, now, max_pages=3)  # counted, then pages 3 and 2
    rest = poll_run(connection, POLLER, cut.cursor, now)

    assert cut.cursor["page"] == 1
    assert len(cut.ingested) == 15
    assert sorted(cut.ingested + rest.ingested) == sorted(created)
    assert pdd_orders() == Counter({order_sn: 1 for order_sn in created})
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}


def test_windows_are_thirty_minutes_and_shipping_and_a_refund_after_it_flow_through(marketplace_catalog):
    connection = sandbox_connection("pinduoduo")
    simulator = PinduoduoSimulator(connection)
    now = timezone.now()
    first, second = (o["order_sn"] for o in simulator.orders_create(2, at=now - timedelta(minutes=80)))
    run = poll_run(connection, POLLER, {"start": (now - timedelta(minutes=90)).isoformat()}, now)
    simulator.orders_update(first, order_status=2, at=now + timedelta(seconds=1))
    simulator.orders_update(second, order_status=2, refund_status=4, at=now + timedelta(seconds=1))

    poll_run(connection, POLLER, run.cursor, now + timedelta(minutes=2))

    assert run.pages == 4  # three 30-minute windows and the last minutes, one page each
    assert Order.objects.get(external_id=first).status == "shipped"
    assert Order.objects.get(external_id=second).status == "closed"


def test_a_refund_before_shipping_cancels_the_order(marketplace_catalog):
    connection = sandbox_connection("pinduoduo")
    simulator = PinduoduoSimulator(connection)
    order_sn = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=5))[0]["order_sn"]
    run = poll_run(connection, POLLER, {"start": (timezone.now() - timedelta(minutes=10)).isoformat()}, timezone.now())
    simulator.orders_update(order_sn, refund_status=4, at=timezone.now() + timedelta(seconds=1))

    poll_run(connection, POLLER, run.cursor, timezone.now() + timedelta(minutes=2))

    assert Order.objects.get(external_id=order_sn).status == "cancelled"


def test_pinduoduo_supplies_no_ip_and_no_device():
    """PDD's order (order_sn_list) carries neither: nothing is made up for the risk rules."""
    mapped = inbound_order(ORDER)

    assert (mapped.client_ip, mapped.device) == (None, "")
