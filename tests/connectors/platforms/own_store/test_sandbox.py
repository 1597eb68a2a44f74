"""The own store's simulator: orders placed in the fake shop, delivered with signatures the hook accepts."""

import json

from django.test import Client

from commerce.orders.models import Order
from connectors.models import SandboxRecord, WebhookDelivery
from connectors.platforms.own_store.manifest import CONNECTOR
from connectors.sandbox import SimRequest
from connectors.services.connections import ConnectionInput, connection_create


def _sandbox(name: str = "小程序沙箱"):
    connection = connection_create(
        data=ConnectionInput(connector="own_store", name=name, credentials={}, settings={}, sandbox=True)
    )
    return connection, CONNECTOR.sandbox(connection)


def _deliver(connection, call):
    headers = {name: value for name, value in call.headers.items() if name != "Content-Type"}
    return Client().post(
        f"/hooks/own_store/{connection.pk}/", data=call.body, content_type="application/json", headers=headers
    )


def test_orders_made_in_the_sandbox_arrive_as_orders(mini_stock):
    connection, simulator = _sandbox()

    calls = [simulator.webhook("order.created", o) for o in simulator.orders_create(3, skus=["TEA-0001", "TEA-0002"])]
    answers = [_deliver(connection, call).status_code for call in calls]

    assert answers == [200, 200, 200]
    assert sorted(Order.objects.values_list("external_id", "status")) == [
        (f"SBX{connection.pk}-000001", "paid"),
        (f"SBX{connection.pk}-000002", "paid"),
        (f"SBX{connection.pk}-000003", "paid"),
    ]
    assert set(WebhookDelivery.objects.values_list("outcome", "topic")) == {("processed", "order.created")}
    assert SandboxRecord.objects.filter(connection=connection, kind="order").count() == 3


def test_the_sandbox_numbers_on_and_prices_from_the_catalog(mini_stock):
    connection, simulator = _sandbox()
    simulator.orders_create(2)

    (order,) = simulator.orders_create(1, skus=["TEA-0002"])

    assert order["external_id"] == f"SBX{connection.pk}-000003"
    assert [(line["sku"], line["unit_price"]) for line in order["lines"]] == [("TEA-0002", "168.00")]


def test_a_sandbox_delivery_signed_an_hour_ago_is_refused(mini_stock):
    connection, simulator = _sandbox()
    order = simulator.orders_create(1)[0]

    answer = _deliver(connection, simulator.webhook("order.paid", order, timestamp=int(simulator.clock()) - 3600))

    assert answer.status_code == 401
    assert answer.json()["code"] == "stale_timestamp"


def test_the_sandbox_store_offers_no_api(mini_stock):
    _connection, simulator = _sandbox()

    answer = simulator.handle(SimRequest("GET", f"{simulator.base_url}/orders", "/orders", {}, {}, b""))

    assert answer.status == 404
    assert json.loads(answer.body)["code"] == "not_found"
