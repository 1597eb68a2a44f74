"""Bad input on every write endpoint: a clear 4xx naming the field, and nothing written."""

import json

import pytest
from django.apps import apps

from tests.factories import create_order, order_payload

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"orders", "inventory", "audit", "outbox", "customers", "catalog"}
    }


@pytest.fixture
def order(channel, stocked):
    return create_order(channel)


def _write_endpoints(order) -> list[tuple[str, dict]]:
    return [
        ("/api/v1/orders/", order_payload()),
        (f"/api/v1/orders/{order.pk}/transition/", {"to": "paid"}),
        (f"/api/v1/orders/{order.pk}/tags/", {"tag": "vip"}),
        (f"/api/v1/orders/{order.pk}/tags/remove/", {"tag": "vip"}),
        (f"/api/v1/orders/{order.pk}/hold/", {"reason": "check"}),
        (f"/api/v1/orders/{order.pk}/notes/", {"text": "hello"}),
        ("/api/v1/inventory/adjust/", {"sku": "TEA-001", "warehouse": "sh-main", "delta": 1, "reason": "count"}),
    ]


def test_malformed_json_on_every_write_endpoint(operator_client, order):
    before = _row_counts()
    for url, _body in _write_endpoints(order):
        response = operator_client.post(url, data='{"to": "paid",', content_type="application/json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "malformed_json", url
    assert _row_counts() == before


def test_ten_megabyte_body_on_every_write_endpoint(operator_client, order):
    before = _row_counts()
    huge = json.dumps({"text": "x" * TEN_MB})
    for url, _body in _write_endpoints(order):
        response = operator_client.post(url, data=huge, content_type="application/json")

        assert response.status_code == 413, url
        assert response.json()["code"] == "payload_too_large"
        assert response.json()["details"]["limit_bytes"] == 2 * 1024 * 1024
    assert _row_counts() == before


def test_wrong_types_name_the_field(operator_client, order):
    before = _row_counts()
    for url, body in _write_endpoints(order):
        broken = {key: {"not": "a scalar"} for key in body}
        response = operator_client.post(url, broken, format="json")

        assert response.status_code == 400, url
        assert set(response.json()["details"]) == set(body), (url, response.json())
    assert _row_counts() == before


def test_a_json_list_instead_of_an_object(operator_client, order):
    before = _row_counts()
    for url, _body in _write_endpoints(order):
        response = operator_client.post(url, [1, 2, 3], format="json")

        assert response.status_code == 400, url
        assert response.json()["code"] == "invalid"
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"lines": [{"sku": "TEA-001", "quantity": 0}]}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": -3}]}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": "two"}]}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": 1, "unit_price": "-1.00"}]}, "lines"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": 1}] * 201}, "lines"),
        ({"channel": "no-such-channel"}, "channel"),
        ({"external_id": "x" * 65}, "external_id"),
        ({"customer": {"name": "张" * 101, "phone": "13800138000"}}, "customer"),
        ({"customer": {"name": "张伟", "phone": "call me"}}, "customer"),
        ({"shipping_address": {"province": "浙江省", "city": "杭州市"}}, "shipping_address"),
        ({"status": "shipped"}, "status"),
        ({"discount_amount": "-5"}, "discount_amount"),
        ({"tags": ["t" * 33]}, "tags"),
        ({"placed_at": "last tuesday"}, "placed_at"),
    ],
)
def test_order_create_bad_fields(operator_client, channel, stocked, override, field):
    before = _row_counts()

    response = operator_client.post("/api/v1/orders/", order_payload(**override), format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["details"], response.json()
    assert _row_counts() == before


def test_unknown_sku_names_the_line(operator_client, channel, stocked):
    before = _row_counts()
    body = order_payload(lines=[{"sku": "TEA-001", "quantity": 1}, {"sku": "GHOST", "quantity": 1}])

    response = operator_client.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_sku"
    assert response.json()["details"] == {"lines[1].sku": "unknown SKU 'GHOST'"}
    assert _row_counts() == before


def test_duplicate_create_changes_nothing(operator_client, channel, stocked):
    operator_client.post("/api/v1/orders/", order_payload(), format="json")
    before = _row_counts()

    again = operator_client.post(
        "/api/v1/orders/", order_payload(lines=[{"sku": "TEA-001", "quantity": 9}]), format="json"
    )

    assert again.status_code == 200
    assert again.json()["lines"][0]["quantity"] == 2
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"to": "teleported"}, 400, "to"),
        ({"to": "paid", "reason": "r" * 201}, 400, "reason"),
        ({}, 400, "to"),
    ],
)
def test_transition_bad_fields(operator_client, order, body, status, field):
    before = _row_counts()

    response = operator_client.post(f"/api/v1/orders/{order.pk}/transition/", body, format="json")

    assert response.status_code == status
    assert field in response.json()["details"]
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"sku": "TEA-001", "warehouse": "sh-main", "delta": -101, "reason": "count"},
            400,
            "stock_below_zero",
            "delta",
        ),
        ({"sku": "GHOST", "warehouse": "sh-main", "delta": 5, "reason": "count"}, 400, "invalid", "sku"),
        (
            {"sku": "TEA-001", "warehouse": "nowhere", "delta": 5, "reason": "count"},
            404,
            "unknown_warehouse",
            "warehouse",
        ),
        ({"sku": "TEA-001", "warehouse": "sh-main", "delta": 0, "reason": "count"}, 400, "invalid", "delta"),
        ({"sku": "TEA-001", "warehouse": "sh-main", "delta": 10**9, "reason": "count"}, 400, "invalid", "delta"),
        ({"sku": "TEA-001", "warehouse": "sh-main", "delta": 1, "reason": "r" * 201}, 400, "invalid", "reason"),
    ],
)
def test_adjust_bad_input(operator_client, order, body, status, code, field):
    before = _row_counts()

    response = operator_client.post("/api/v1/inventory/adjust/", body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["details"]
    assert _row_counts() == before


def test_forged_token_is_401(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/v1/orders/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
