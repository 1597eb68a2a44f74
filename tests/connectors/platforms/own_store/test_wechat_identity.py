"""The mini-program's body names the buyer's openid under its appid: kept for the customer, per app."""

import json

import pytest

from commerce.customers.models import CustomerWechatIdentity
from commerce.orders.models import Order

from .conftest import fixture, post, signed

CREATED = fixture("order.created")
PAID = fixture("order.paid")
MINI = "wx5f3c9a1b2d4e6f70"


def _body(**fields) -> bytes:
    return json.dumps({**json.loads(CREATED), **fields}, ensure_ascii=False).encode()


def test_the_paid_fixture_keeps_the_buyers_mini_program_openid(own_store):
    answer = post(own_store, PAID, signed(PAID, event="order.paid", event_id="evt-paid"))

    assert answer.status_code == 200, answer.content
    identity = CustomerWechatIdentity.objects.get()
    assert (identity.customer_id, identity.appid, identity.openid, identity.source) == (
        Order.objects.get().customer_id,
        MINI,
        "oGZUI0egBJY1zhBYw2KhdUfwVJJE",
        "own_store",
    )


def test_the_same_openid_delivered_twice_is_one_row(own_store):
    post(own_store, PAID, signed(PAID, event="order.paid", event_id="evt-1"))
    again = _body(external_id="WX-2", wechat={"appid": MINI, "openid": "oGZUI0egBJY1zhBYw2KhdUfwVJJE"})
    post(own_store, again, signed(again, event_id="evt-2"))

    assert CustomerWechatIdentity.objects.count() == 1


@pytest.mark.parametrize(
    ("wechat", "details"),
    [
        ({"appid": MINI}, {"wechat.openid": "required"}),
        ({"appid": "gh_123", "openid": "oGZUI0egBJY1zhBYw2KhdUfwVJJE"}, {"wechat.appid": "has characters"}),
        ({"appid": MINI, "openid": "o' OR 1=1 --xxxxxxxxxxx"}, {"wechat.openid": "has characters"}),
        ({"appid": MINI, "openid": "o" * 65}, {"wechat.openid": "longer than 64"}),
        (
            {"appid": MINI, "openid": "oGZUI0egBJY1zhBYw2KhdUfwVJJE", "unionid": "x"},
            {"wechat.unionid": "unknown field"},
        ),
        ("oGZUI0egBJY1zhBYw2KhdUfwVJJE", {"wechat": "must be a JSON object"}),
    ],
)
def test_a_malformed_wechat_identity_is_refused_naming_it_and_changes_nothing(own_store, wechat, details):
    body = _body(wechat=wechat)

    answer = post(own_store, body, signed(body, event_id="evt-bad"))

    assert answer.status_code == 400
    got = answer.json()["details"]
    assert list(got) == list(details)
    assert all(got[key].startswith(start) for key, start in details.items())
    assert (Order.objects.count(), CustomerWechatIdentity.objects.count()) == (0, 0)


def test_the_delivery_log_shows_the_openid_masked(own_store, operator_client):
    post(own_store, PAID, signed(PAID, event="order.paid", event_id="evt-paid"))

    answer = operator_client.get(f"/api/v1/connections/{own_store.pk}/deliveries/")

    assert answer.status_code == 200
    body = answer.json()["results"][0]["body"]
    assert "oGZUI0egBJY1zhBYw2KhdUfwVJJE" not in body
    assert '"openid": "oGZU****VJJE"' in body
