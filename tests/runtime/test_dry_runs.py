"""Test-runs and back-tests of a draft: the real graph walk with side effects suppressed."""

import copy
from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from builder.services import flow_create
from commerce.audit.models import AuditEntry
from commerce.inbox.models import Notification
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders.models import Order, OrderLine
from commerce.outbox.models import OutboxEvent
from commerce.tickets.models import Ticket
from runtime.models import ActionReceipt, Execution, ExecutionStep
from tests.conftest import client_for
from tests.factories import create_order, make_user
from tests.runtime.conftest import action, event_flow, load_template

pytestmark = pytest.mark.django_db

TABLES = (Order, OrderLine, Reservation, StockMovement, AuditEntry, OutboxEvent, Execution, ExecutionStep,
          ActionReceipt, Ticket, Notification)  # fmt: skip


def _draft(document):
    return flow_create(owner=make_user("flow-owner", "operator"), definition=copy.deepcopy(document))


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in TABLES}
    counts["stock"] = list(StockItem.objects.order_by("id").values_list("on_hand", "reserved"))
    return counts


def test_a_test_run_on_a_stored_event_shows_each_node_and_changes_nothing(channel, stocked, gift_stock):
    flow = _draft(load_template("big-order-gift"))
    order = create_order(channel, external_id="T-1", lines=(("TEA-001", 4),), status="paid")
    event = OutboxEvent.objects.get(name="order.paid", subject_id=str(order.pk))
    before = _counts()

    response = client_for("operator").post(
        f"/api/v1/flows/{flow.pk}/test-run/", {"event": {"event_id": event.pk}}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["fired"] is True
    assert body["context"]["event"] == {
        "id": event.pk,
        "type": "order.paid",
        "occurred_at": body["context"]["event"]["occurred_at"],
    }
    assert body["trace"] == [
        {
            "node_id": "big",
            "kind": "condition",
            "action": None,
            "status": "evaluated",
            "decision": True,
            "input": {"order.total_amount": "796.00"},
            "output": {"result": True},
            "error": None,
        },
        {
            "node_id": "gift",
            "kind": "action",
            "action": "order.create_gift",
            "status": "would_run",
            "decision": None,
            "input": {"sku": "GIFT-TOTE", "quantity": 1},
            "output": {
                "order_id": None,
                "number": None,
                "gift_for": order.pk,
                "created": True,
                "would_create": {"external_id": "T-1-gift-gift", "lines": [{"sku": "GIFT-TOTE", "quantity": 1}]},
            },
            "error": None,
        },
    ]
    assert _counts() == before


def test_a_test_run_on_a_written_out_event_follows_the_false_branch(channel, stocked):
    flow = _draft(load_template("big-order-gift"))

    response = client_for("operator").post(
        f"/api/v1/flows/{flow.pk}/test-run/",
        {"event": {"type": "order.paid", "order": {"id": 999, "total_amount": "120.00"}}},
        format="json",
    )

    body = response.json()
    assert body["fired"] is False
    assert [(t["node_id"], t["status"], t["decision"]) for t in body["trace"]] == [
        ("big", "evaluated", False),
        ("gift", "skipped", None),
    ]


def test_a_test_run_reports_a_failing_node_and_stops_there(channel, stocked):
    flow = _draft(
        event_flow(
            "order.paid",
            [
                action("note", "order.note", {"text": "third line {{ order.lines.2.sku }}"}),
                action("tag", "order.tag", {"tag": "seen"}),
            ],
        )
    )
    order = create_order(channel, external_id="T-2", status="paid")
    event = OutboxEvent.objects.get(name="order.paid", subject_id=str(order.pk))

    body = (
        client_for("operator")
        .post(f"/api/v1/flows/{flow.pk}/test-run/", {"event": {"event_id": event.pk}}, format="json")
        .json()
    )

    assert [(t["node_id"], t["status"]) for t in body["trace"]] == [("note", "failed"), ("tag", "not_run")]
    assert body["trace"][0]["error"]["code"] == "missing_path"


def test_an_invalid_draft_is_not_test_run():
    flow = _draft(event_flow("order.paid", [action("gift", "order.create_gift", {"sku": "X"})]))

    response = client_for("operator").post(
        f"/api/v1/flows/{flow.pk}/test-run/", {"event": {"type": "order.paid", "order": {"id": 1}}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_flow"
    assert response.json()["details"]["problems"][0]["node_id"] == "gift"


def test_only_flow_editors_may_test_run(channel):
    flow = _draft(load_template("big-order-gift"))

    response = client_for("manager").post(f"/api/v1/flows/{flow.pk}/test-run/", {"event": {}}, format="json")

    assert response.status_code == 403


def test_a_back_test_summarises_how_often_the_draft_would_have_fired(channel, stocked, gift_stock, settings):
    flow = _draft(load_template("big-order-gift"))
    orders = [
        create_order(channel, external_id=f"B-{i}", lines=(("TEA-001", quantity),), status="paid")
        for i, quantity in enumerate((4, 1, 2, 5))
    ]
    create_order(channel, external_id="B-unpaid", lines=(("TEA-001", 9),))
    before = _counts()
    today = timezone.localtime(timezone.now(), ZoneInfo(django_settings.ORDERFLOW_DISPLAY_TIME_ZONE)).date().isoformat()

    response = client_for("operator").post(f"/api/v1/flows/{flow.pk}/back-test/", {"days": 7}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "flow": flow.pk,
        "event": "order.paid",
        "days": 7,
        "cap": 5000,
        "capped": False,
        "events": 4,
        "fired": 2,
        "fire_rate": 0.5,
        "nodes": {
            "big": {
                "kind": "condition",
                "reached": 4,
                "true": 2,
                "false": 2,
                "would_run": 0,
                "errors": 0,
                # Newest first: the examples are the orders of the most recent events.
                "by_day": [{"day": today, "true": 2, "false": 2}],
                "examples": {"true": [orders[3].pk, orders[0].pk], "false": [orders[2].pk, orders[1].pk]},
                "example_orders": {
                    "true": [{"id": o.pk, "number": o.number} for o in (orders[3], orders[0])],
                    "false": [{"id": o.pk, "number": o.number} for o in (orders[2], orders[1])],
                },
            },
            "gift": {"kind": "action", "reached": 2, "true": 0, "false": 0, "would_run": 2, "errors": 0},
        },
        "by_day": [{"day": today, "events": 4, "fired": 2}],
        "actions": {"order.create_gift": 2},
        "errors": [],
    }
    assert _counts() == before

    settings.ORDERFLOW_BACKTEST_CAP = 3
    capped = client_for("operator").post(f"/api/v1/flows/{flow.pk}/back-test/", {"days": 7}, format="json").json()
    assert (capped["events"], capped["capped"], capped["cap"]) == (3, True, 3)


def test_a_back_test_needs_an_event_trigger():
    document = load_template("big-order-gift")
    document["trigger"] = {"type": "manual"}
    document["nodes"][0]["rule"] = {"==": [1, 1]}
    document["nodes"][1] = action("note", "order.note", {"text": "hi"})
    document["edges"][1]["to"] = "note"
    flow = _draft(document)

    response = client_for("operator").post(f"/api/v1/flows/{flow.pk}/back-test/", {"days": 7}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "not_runnable")


def test_a_back_test_splits_each_branch_per_day_with_example_orders(channel, stocked, gift_stock):
    flow = _draft(load_template("big-order-gift"))
    big = create_order(channel, external_id="D-1", lines=(("TEA-001", 4),), status="paid")
    small = create_order(channel, external_id="D-2", lines=(("TEA-001", 1),), status="paid")
    earlier = timezone.now() - timedelta(days=2)
    OutboxEvent.objects.filter(name="order.paid", subject_id=str(small.pk)).update(occurred_at=earlier)
    zone = ZoneInfo(django_settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    day_small = timezone.localtime(earlier, zone).date().isoformat()
    day_big = timezone.localtime(timezone.now(), zone).date().isoformat()

    body = client_for("operator").post(f"/api/v1/flows/{flow.pk}/back-test/", {"days": 7}, format="json").json()

    assert body["nodes"]["big"]["by_day"] == [
        {"day": day_small, "true": 0, "false": 1},
        {"day": day_big, "true": 1, "false": 0},
    ]
    assert body["nodes"]["big"]["examples"] == {"true": [big.pk], "false": [small.pk]}
    assert body["nodes"]["big"]["example_orders"] == {
        "true": [{"id": big.pk, "number": big.number}],
        "false": [{"id": small.pk, "number": small.number}],
    }
    assert big.number.startswith("OF")
    assert body["by_day"] == [{"day": day_small, "events": 1, "fired": 0}, {"day": day_big, "events": 1, "fired": 1}]


def test_a_back_test_reads_older_than_as_at_each_event_not_today(channel, stocked, gift_stock):
    document = load_template("big-order-gift")
    document["nodes"][0]["rule"] = {">=": [{"minutes_since": [{"var": "order.created_at"}]}, 60]}
    flow = _draft(document)
    order = create_order(channel, external_id="AGE-1", lines=(("TEA-001", 1),), status="paid")
    three_hours_on = timezone.now() + timedelta(hours=3)

    # Today the order is three hours old; when it was paid, it was not an hour old.
    with mock.patch("builder.jsonlogic.timezone.now", return_value=three_hours_on):
        body = client_for("operator").post(f"/api/v1/flows/{flow.pk}/back-test/", {"days": 7}, format="json").json()

    assert (body["nodes"]["big"]["true"], body["nodes"]["big"]["false"]) == (0, 1)
    assert body["nodes"]["big"]["example_orders"]["false"] == [{"id": order.pk, "number": order.number}]


def test_a_test_run_on_a_real_order_found_by_its_number_or_phone(channel, stocked, gift_stock):
    flow = _draft(load_template("big-order-gift"))
    order = create_order(channel, external_id="REAL-1", lines=(("TEA-001", 4),), status="paid")
    before = _counts()

    by_number = client_for("operator").post(
        f"/api/v1/flows/{flow.pk}/test-run/", {"order": order.number}, format="json"
    )
    by_phone = client_for("operator").post(
        f"/api/v1/flows/{flow.pk}/test-run/", {"order": "13800138000"}, format="json"
    )

    assert by_number.status_code == 200
    body = by_number.json()
    assert body["order"] == {"id": order.pk, "number": order.number}
    assert body["missing"] == []
    assert body["fired"] is True
    assert body["context"]["order"]["total_amount"] == "796.00"
    assert body["context"]["event"]["type"] == "order.paid"
    stored = OutboxEvent.objects.get(name="order.paid", subject_id=str(order.pk)).payload["order"]
    assert set(body["context"]["order"]) == set(stored)
    assert by_phone.json()["order"] == {"id": order.pk, "number": order.number}
    assert _counts() == before


def test_a_test_run_on_an_order_says_what_the_event_carries_that_an_order_cannot(channel, stocked):
    document = event_flow("shipment.signed", [action("note", "order.note", {"text": "signed"})])
    flow = _draft(document)
    order = create_order(channel, external_id="REAL-2", status="paid")

    body = (
        client_for("operator").post(f"/api/v1/flows/{flow.pk}/test-run/", {"order": order.number}, format="json").json()
    )

    assert body["missing"] == ["shipment"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"order": "NO-SUCH-ORDER"}, "invalid_event"),
        ({"order": "x" * 101}, "invalid"),
        ({"order": "OF1", "event": {"event_id": 1}}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_a_test_run_refuses_an_order_it_cannot_find_or_a_muddled_request(channel, payload, code):
    flow = _draft(load_template("big-order-gift"))

    response = client_for("operator").post(f"/api/v1/flows/{flow.pk}/test-run/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
