import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_role_reads_the_catalog():
    response = client_for("manager").get("/api/v1/catalog/")

    body = response.json()
    assert response.status_code == 200
    assert sorted(body) == [
        "actions",
        "condition",
        "connectors",
        "events",
        "for_each_context_schema",
        "format",
        "template",
        "triggers",
    ]
    assert body["format"] == "orderflow.flow/v1"
    assert body["actions"][1]["params_schema"]["required"] == ["sku", "quantity"]
    assert body["actions"][1]["name"] == {"en": "Add a gift order", "zh": "添加赠品订单"}
    assert len(body["events"]) == 26
    returned = next(e for e in body["events"] if e["name"] == "refund.returned")
    assert (returned["objects"], returned["available"]) == (["order", "refund"], True)


def test_a_reconciliation_difference_carries_its_declared_object():
    response = client_for("finance").get("/api/v1/catalog/")

    event = next(e for e in response.json()["events"] if e["name"] == "reconciliation.difference")
    difference = event["context_schema"]["properties"]["difference"]
    assert event["available"] is True and event["objects"] == ["difference"]
    assert difference["additionalProperties"] is False
    assert difference["properties"]["category"]["enum"] == [
        "unsettled",
        "refunded_not_offset",
        "refund_missing_in_bill",
        "cross_period",
        "missing_payment",
        "missing_order",
        "amount_mismatch",
        "duplicate_payment",
    ]
    assert {"order_number", "expected_amount", "actual_amount", "ticket_id"} <= set(difference["required"])
