"""The own store's body carries the buyer's IP, device, account and remark: the risk rules read them."""

import json

from commerce.orders.models import Order
from commerce.risk.models import RiskHit

from .conftest import fixture, post, signed

CREATED = fixture("order.created")


def _body(**fields) -> bytes:
    return json.dumps({**json.loads(CREATED), **fields}, ensure_ascii=False).encode()


def test_the_buyers_ip_device_account_and_remark_are_kept(own_store):
    body = _body(
        client_ip="203.0.113.9",
        device="iPhone; MicroMessenger/8.0.47",
        buyer_account="oWx-1",
        buyer_remark="请尽快发货",
    )

    answer = post(own_store, body, signed(body, event_id="evt-buyer-1"))

    assert answer.status_code == 200, answer.content
    order = Order.objects.get()
    assert (order.client_ip, order.device, order.buyer_account, order.buyer_remark) == (
        "203.0.113.9",
        "iPhone; MicroMessenger/8.0.47",
        "oWx-1",
        "请尽快发货",
    )


def test_a_mini_program_order_from_a_virtual_number_is_held(own_store):
    order = json.loads(CREATED)
    order["customer"]["phone"] = "16512345678"
    body = json.dumps(order, ensure_ascii=False).encode()

    post(own_store, body, signed(body, event_id="evt-virtual-1"))

    stored = Order.objects.get()
    assert stored.on_hold
    assert list(RiskHit.objects.values_list("rule__key", flat=True)) == ["virtual_number"]


def test_a_malformed_ip_is_refused_naming_it(own_store):
    body = _body(client_ip="203.0.113.999")

    answer = post(own_store, body, signed(body, event_id="evt-bad-ip"))

    assert answer.status_code == 400
    assert answer.json()["details"] == {"client_ip": "must be an IPv4 or IPv6 address"}
    assert not Order.objects.exists()
