"""The write-back calls the sandboxes serve refuse bad input as their platforms do, and change nothing."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.douyin.client import logistics_add, logistics_add_multi_pack
from connectors.platforms.douyin.sandbox import DouyinSimulator
from connectors.platforms.jd.client import order_shipment
from connectors.platforms.jd.sandbox import JdSimulator
from connectors.platforms.pinduoduo.client import logistics_online_send, order_extra_logistics
from connectors.platforms.pinduoduo.sandbox import PinduoduoSimulator
from connectors.platforms.shopify.client import fulfillment_create, fulfillment_orders
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.services.connections import ConnectionInput, connection_client, connection_create

pytestmark = pytest.mark.django_db


def _connection(key: str):
    return connection_create(
        data=ConnectionInput(connector=key, name=f"{key} 沙箱", credentials={}, settings={}, sandbox=True)
    )


def test_jd_refuses_missing_fields_an_unknown_company_and_an_unknown_order(stocked):
    connection = _connection("jd")
    [order] = JdSimulator(connection).orders_create(1, ["TEA-001"])
    client = connection_client(connection)

    for order_id, company, number in (
        (order["orderId"], "467", ""),
        (order["orderId"], "999", "SF1"),
        ("1", "467", "SF1"),
    ):
        with pytest.raises(ProviderError) as refused:
            order_shipment(client, order_id=order_id, logi_copr_id=company, logi_no=number)
        assert refused.value.retryable is False and refused.value.code.startswith("shipment:")
    assert JdSimulator(connection).record("order", order["orderId"])["orderState"] == "WAIT_SELLER_STOCK_OUT"


def test_pinduoduo_refuses_an_unknown_courier_and_an_extra_number_before_the_order_shipped(stocked):
    connection = _connection("pinduoduo")
    simulator = PinduoduoSimulator(connection)
    [order] = simulator.orders_create(1, ["TEA-001"])
    client = connection_client(connection)

    with pytest.raises(ProviderError):
        logistics_online_send(client, order_sn=order["order_sn"], logistics_id=99999, tracking_number="SF1")
    with pytest.raises(ProviderError):
        order_extra_logistics(client, order_sn=order["order_sn"], shipping_id=44, tracking_number="SF2")

    stored = simulator.record("order", order["order_sn"])
    assert stored["order_status"] == 1 and not stored.get("extra_tracks")

    logistics_online_send(client, order_sn=order["order_sn"], logistics_id=44, tracking_number="SF1")
    order_extra_logistics(client, order_sn=order["order_sn"], shipping_id=44, tracking_number="SF2")
    order_extra_logistics(client, order_sn=order["order_sn"], shipping_id=44, tracking_number="SF2")

    assert simulator.record("order", order["order_sn"])["extra_tracks"] == [
        {"shipping_id": 44, "tracking_number": "SF2"}
    ]


def test_douyin_refuses_an_unknown_sub_order_whole_and_answers_a_repeated_request_id_once(stocked):
    connection = _connection("douyin")
    simulator = DouyinSimulator(connection)
    [order] = simulator.orders_create(1, ["TEA-001"])
    client = connection_client(connection)
    sub = order["sku_order_list"][0]

    with pytest.raises(ProviderError) as refused:
        logistics_add_multi_pack(
            client,
            order_id=order["order_id"],
            shipped=[("1", 1)],
            company_code="shunfeng",
            logistics_code="SF1",
            request_id="r1",
        )
    assert refused.value.code == "50002:isv.business-failed:60102"
    assert simulator.record("order", order["order_id"])["order_status"] == 2

    first = logistics_add_multi_pack(
        client,
        order_id=order["order_id"],
        shipped=[(sub["order_id"], sub["item_num"])],
        company_code="shunfeng",
        logistics_code="SF1",
        request_id="r2",
    )
    again = logistics_add_multi_pack(
        client,
        order_id=order["order_id"],
        shipped=[(sub["order_id"], sub["item_num"])],
        company_code="shunfeng",
        logistics_code="SF1",
        request_id="r2",
    )

    assert first == again and simulator.record("order", order["order_id"])["order_status"] == 3
    with pytest.raises(ProviderError) as shipped:
        logistics_add(client, order_id=order["order_id"], company_code="shunfeng", logistics_code="SF9")
    assert shipped.value.code == "50002:isv.business-failed:60110"


def test_shopify_refuses_a_malformed_body_a_quantity_over_what_is_left_and_a_closed_fulfillment_order(stocked):
    connection = _connection("shopify")
    simulator = ShopifySimulator(connection)
    [order] = simulator.orders_create(1, ["TEA-001"])
    client = connection_client(connection)
    [fulfillment_order] = fulfillment_orders(client, str(order["id"]))
    [item] = fulfillment_order["line_items"]

    with pytest.raises(ProviderError) as malformed:
        client.request("POST", "fulfillments.json", json={"fulfillment": {"line_items_by_fulfillment_order": "x"}})
    assert malformed.value.code == "rejected"
    too_many = [
        {
            "fulfillment_order_id": fulfillment_order["id"],
            "fulfillment_order_line_items": [{"id": item["id"], "quantity": item["fulfillable_quantity"] + 1}],
        }
    ]
    with pytest.raises(ProviderError) as over:
        fulfillment_create(client, line_items_by_fulfillment_order=too_many, number="SF1", company="SF Express", url="")
    assert over.value.code == "rejected" and "quantity" in over.value.message
    assert simulator.order(order["id"])["fulfillments"] == []

    everything = [{"fulfillment_order_id": fulfillment_order["id"]}]
    made = fulfillment_create(
        client, line_items_by_fulfillment_order=everything, number="SF1", company="SF Express", url=""
    )
    assert made["tracking_numbers"] == ["SF1"]
    with pytest.raises(ProviderError) as closed:
        fulfillment_create(
            client, line_items_by_fulfillment_order=everything, number="SF2", company="SF Express", url=""
        )
    assert "closed" in closed.value.message
    stored = simulator.order(order["id"])
    assert stored["fulfillment_status"] == "fulfilled" and len(stored["fulfillments"]) == 1
    assert stored["line_items"][0]["fulfillable_quantity"] == 0
