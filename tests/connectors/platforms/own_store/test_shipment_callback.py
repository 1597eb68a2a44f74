"""The own store's shipment callback (tracking-number write-back): signed as the store's webhooks are,
checked by the store's simulator like Orderflow checks the store; bad input changes nothing."""

import json
import time

import pytest
from requests.structures import CaseInsensitiveDict

from connectors.base import ProviderError
from connectors.models import SandboxRecord
from connectors.platforms.own_store.client import SANDBOX_CALLBACK_URL, OwnStoreClient
from connectors.platforms.own_store.sandbox import OwnStoreSimulator
from connectors.sandbox import SimRequest
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from core.errors import InvalidInput

from .conftest import SECRET, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(mini_stock):
    connection = connection_create(
        data=ConnectionInput(connector="own_store", name="小程序沙箱", credentials={}, settings={}, sandbox=True)
    )
    simulator = OwnStoreSimulator(connection)
    [order] = simulator.orders_create(1, ["TEA-0001"])
    return connection, simulator, order


def _call(simulator, body: bytes, headers: dict[str, str]):
    request = SimRequest(
        method="POST",
        url=SANDBOX_CALLBACK_URL,
        path="/orderflow/shipments",
        query={},
        headers=CaseInsensitiveDict({"Content-Type": "application/json", **headers}),
        body=body,
    )
    return simulator.handle(request)


def _shipment(order, number="SF1", quantity=None) -> dict:
    line = order["lines"][0]
    return {
        "external_id": order["external_id"],
        "tracking_no": number,
        "courier": "sf",
        "parcel": "",
        "whole_order": True,
        "lines": [{"sku": line["sku"], "quantity": quantity or line["quantity"]}],
    }


def _stored(simulator, order) -> dict:
    return SandboxRecord.objects.get(connection=simulator.connection, kind="order", key=order["external_id"]).data


def test_a_signed_callback_ships_the_order_and_a_repeat_is_received_again(store):
    connection, simulator, order = store
    client = connection_client(connection)

    first = client.shipment_send(_shipment(order), event_id="orderflow-1-SF1")
    again = client.shipment_send(_shipment(order), event_id="orderflow-1-SF1")

    assert first == {"received": True} and again == {"received": True, "repeat": True}
    stored = _stored(simulator, order)
    assert stored["status"] == "shipped" and [s["tracking_no"] for s in stored["shipments"]] == ["SF1"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"secret": "another-secret-of-at-least-32-characters"}, 401, "bad_signature"),
        ({"timestamp": int(time.time()) - 3600}, 401, "stale_timestamp"),
        ({"event": "order.created"}, 400, "unknown_event"),
    ],
)
def test_a_forged_stale_or_mislabelled_callback_is_refused(store, change, status, code):
    _connection, simulator, order = store
    body = json.dumps(_shipment(order)).encode()
    # the sandbox connection's own secret signs a genuine callback; ``change`` spoils one part of it
    headers = signed(body, **{"event": "shipment.shipped", "secret": simulator.secret, **change})

    answer = _call(simulator, body, headers)

    assert answer.status == status and json.loads(answer.body)["code"] == code
    assert _stored(simulator, order)["status"] == "paid"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", json.dumps({"external_id": "X"}).encode(), json.dumps({"lines": "x"}).encode()],
)
def test_a_malformed_callback_is_refused(store, body):
    _connection, simulator, order = store

    answer = _call(simulator, body, signed(body, event="shipment.shipped", secret=simulator.secret))

    assert answer.status == 400 and json.loads(answer.body)["code"] == "malformed_payload"
    assert _stored(simulator, order)["status"] == "paid"


def test_another_number_for_shipped_lines_is_a_clear_terminal_error(store):
    connection, simulator, order = store
    client = connection_client(connection)
    client.shipment_send(_shipment(order, "SF1"), event_id="e1")

    with pytest.raises(ProviderError) as refused:
        client.shipment_send(_shipment(order, "SF2"), event_id="e2")

    assert refused.value.code == "already_shipped" and refused.value.retryable is False
    assert [s["tracking_no"] for s in _stored(simulator, order)["shipments"]] == ["SF1"]


def test_a_live_connection_without_a_callback_address_says_so(mini_stock):
    connection = connection_create(
        data=ConnectionInput(connector="own_store", name="小程序", credentials={"signing_secret": SECRET}, settings={})
    )
    client = connection_client(connection)
    assert isinstance(client, OwnStoreClient)

    with pytest.raises(ProviderError) as refused:
        client.shipment_send({"external_id": "X"}, event_id="e1")

    assert refused.value.code == "no_callback_url"


def test_the_callback_address_must_be_https(mini_stock):
    with pytest.raises(InvalidInput) as refused:
        connection_create(
            data=ConnectionInput(
                connector="own_store",
                name="小程序",
                credentials={"signing_secret": SECRET},
                settings={"callback_url": "http://shop.example/orderflow"},
            )
        )
    assert "settings.callback_url" in refused.value.details
