"""Events nothing emits yet: greyed out in the catalog with a reason, saved in drafts, never published."""

import pytest

from builder.models import Flow, FlowVersion
from commerce.outbox import names
from tests.builder.documents import gift_flow
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FLOWS = "/api/v1/flows/"

UNAVAILABLE = [names.RECONCILIATION_DIFFERENCE]
RECONCILIATION_REASON = {
    "en": "Not connected yet: reconciliation differences come with daily reconciliation.",
    "zh": "尚未接入：对账差异将随每日对账提供",
}


def _on_differences() -> dict:
    """A flow on reconciliation differences (nothing emits them yet) that reads nothing of an order."""
    return {
        "format": "orderflow.flow/v1",
        "name": "Tell finance",
        "trigger": {"type": "event", "event": names.RECONCILIATION_DIFFERENCE},
        "nodes": [
            {
                "id": "tell",
                "type": "action",
                "action": "notify.inbox",
                "params": {"to_role": "finance", "title": "对账差异", "body": "请处理"},
            }
        ],
        "edges": [{"from": "trigger", "to": "tell"}],
    }


def test_the_catalog_marks_each_event_available_or_says_why_not():
    response = client_for("manager").get("/api/v1/catalog/")

    events = {event["name"]: event for event in response.json()["events"]}
    assert response.status_code == 200
    assert [name for name, event in events.items() if not event["available"]] == UNAVAILABLE
    assert [name for name, event in events.items() if event["available"]] == [
        names.ORDER_CREATED,
        names.ORDER_PAID,
        names.ORDER_STATUS_CHANGED,
        names.ORDER_CANCELLED,
        names.ORDER_TIMEOUT,
        names.ORDER_HELD,
        names.PAYMENT_RECEIVED,
        names.SHIPMENT_CREATED,
        names.SHIPMENT_UPDATED,
        names.SHIPMENT_SIGNED,
        names.SHIPMENT_STALLED,
        names.SHIPMENT_EXCEPTION,
        names.INVENTORY_LOW_STOCK,
        names.INVENTORY_RESERVATION_EXPIRED,
        names.REFUND_REQUESTED,
        names.REFUND_APPROVED,
        names.REFUND_REJECTED,
        names.REFUND_PAID,
        names.REFUND_FAILED,
        names.REFUND_SLA_BREACHED,
        names.NOTIFICATION_FAILED,
        names.INSIGHTS_ALERT,
    ]
    assert events[names.RECONCILIATION_DIFFERENCE]["unavailable_reason"] == RECONCILIATION_REASON
    assert events[names.ORDER_PAID]["unavailable_reason"] is None
    for name in UNAVAILABLE:
        reason = events[name]["unavailable_reason"]
        assert sorted(reason) == ["en", "zh"], name
        assert reason["zh"].startswith("尚未接入：") and reason["en"].startswith("Not connected yet: "), name


def test_a_draft_on_an_unavailable_event_is_saved_with_a_problem_saying_so(operator_client):
    response = operator_client.post(FLOWS, {"definition": _on_differences()}, format="json")

    body = response.json()
    assert response.status_code == 201
    assert Flow.objects.get(pk=body["id"]).draft == _on_differences()
    assert body["valid"] is False
    assert body["problems"] == [
        {
            "code": "event_unavailable",
            "message": "“Reconciliation difference” is not available yet, so a flow on it cannot be published; "
            "it is kept as a draft. " + RECONCILIATION_REASON["en"],
            "node": "trigger",
            "node_id": "trigger",
            "field": "event",
            "pointer": "/trigger/event",
            "detail": "'reconciliation.difference' is not available yet, so a flow on it cannot be published. "
            + RECONCILIATION_REASON["en"],
        }
    ]


def test_publishing_a_flow_on_an_unavailable_event_is_refused_and_names_the_trigger(operator_client):
    flow = operator_client.post(FLOWS, {"definition": _on_differences()}, format="json").json()

    response = operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "event_unavailable"
    assert body["message"] == (
        "The trigger's event reconciliation.difference is not available yet (nothing emits it), so the flow cannot be "
        "published. It is saved as a draft."
    )
    assert body["details"]["trigger"] == {
        "node_id": "trigger",
        "pointer": "/trigger/event",
        "event": "reconciliation.difference",
        "reason": RECONCILIATION_REASON,
    }
    assert [p["code"] for p in body["details"]["problems"]] == ["event_unavailable"]
    assert FlowVersion.objects.count() == 0
    assert Flow.objects.get(pk=flow["id"]).current_version_id is None


def test_the_refusal_speaks_chinese_when_asked(operator_client):
    flow = operator_client.post(FLOWS, {"definition": _on_differences()}, format="json").json()

    response = operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "触发事件 reconciliation.difference 尚未接入（目前没有任何模块发出该事件），因此流程无法发布；它已保存为草稿。"
    )


def test_a_draft_moved_to_an_available_event_publishes(operator_client):
    flow = operator_client.post(FLOWS, {"definition": _on_differences()}, format="json").json()
    operator_client.put(f"{FLOWS}{flow['id']}/", {"definition": gift_flow()}, format="json")

    response = operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    assert response.status_code == 201
    assert response.json()["trigger_event"] == names.ORDER_PAID
