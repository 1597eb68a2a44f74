"""Returns: sellable goods back on hand through the inventory service, damaged goods quarantined off stock."""

import pytest
from django.apps import apps

from commerce.inventory.models import StockItem, StockMovement
from commerce.refunds.models import ReturnedGoods
from commerce.refunds.services import refund_reject
from tests.conftest import client_for

from .conftest import file_refund

pytestmark = pytest.mark.django_db


def _url(refund):
    return f"/api/v1/refunds/{refund.pk}/return-received/"


def _receive(refund, lines, role="operator", **extra):
    return client_for(role).post(_url(refund), {"lines": lines, **extra}, format="json")


def _on_hand():
    row = StockItem.objects.get(sku="TEA-001", warehouse__code="sh-main")
    return row.on_hand, row.reserved


def _row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("inventory").get_models(), *apps.get_app_config("refunds").get_models()]
    return {m._meta.label: m.objects.count() for m in models}


def test_sellable_goods_go_back_on_hand_with_a_return_movement(paid_order):
    refund = file_refund(paid_order, "299.00", return_needed=True)
    before = _on_hand()

    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 2, "condition": "sellable"}], tracking_no="SF1234567890")

    assert answer.status_code == 200, answer.json()
    assert _on_hand() == (before[0] + 2, before[1])
    movement = StockMovement.objects.order_by("id").last()
    assert (movement.kind, movement.quantity, movement.order_id, movement.reason, movement.actor_label) == (
        "return",
        2,
        paid_order.pk,
        f"refund {refund.pk}: returned goods",
        "user-operator",
    )
    body = answer.json()
    assert body["return_tracking_no"] == "SF1234567890"
    assert [(r["sku"], r["quantity"], r["condition"], r["disposition"], r["warehouse"]) for r in body["returns"]] == [
        ("TEA-001", 2, "sellable", "restocked", "sh-main")
    ]


def test_damaged_goods_are_quarantined_and_never_reach_stock(paid_order):
    refund = file_refund(paid_order, "299.00")
    before, movements = _on_hand(), StockMovement.objects.count()

    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 1, "condition": "damaged"}])

    assert answer.status_code == 200, answer.json()
    assert _on_hand() == before
    assert StockMovement.objects.count() == movements
    quarantined = ReturnedGoods.objects.get(request=refund)
    assert (quarantined.sku, quarantined.quantity, quarantined.disposition, quarantined.warehouse) == (
        "TEA-001",
        1,
        "quarantine",
        "",
    )


def test_one_parcel_with_a_sellable_and_a_damaged_unit(paid_order):
    refund = file_refund(paid_order, "299.00")
    before = _on_hand()

    answer = _receive(
        refund,
        [
            {"sku": "TEA-001", "quantity": 1, "condition": "sellable"},
            {"sku": "TEA-001", "quantity": 1, "condition": "damaged"},
        ],
        tracking_no="YT9988776655",
    )

    assert answer.status_code == 200, answer.json()
    assert _on_hand() == (before[0] + 1, before[1])
    assert [(r["condition"], r["disposition"], r["tracking_no"]) for r in answer.json()["returns"]] == [
        ("sellable", "restocked", "YT9988776655"),
        ("damaged", "quarantine", "YT9988776655"),
    ]


def test_more_than_the_request_covers_is_refused_and_changes_nothing(paid_order):
    refund = file_refund(paid_order, "100.00", lines=())
    other = file_refund(paid_order, "150.00")
    _receive(refund, [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}])
    before = _row_counts(), _on_hand()

    # The order had TEA-001 × 2: one came back already, two more cannot.
    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 2, "condition": "damaged"}])

    assert answer.status_code == 400
    assert answer.json()["details"] == {"lines[0]": "TEA-001: at most 2 in all may come back"}
    assert (_row_counts(), _on_hand()) == before
    assert other.returns.count() == 0


def test_two_requests_of_one_order_take_back_no_more_than_it_had(paid_order):
    first = file_refund(paid_order, "100.00")
    second = file_refund(paid_order, "150.00")
    _receive(first, [{"sku": "TEA-001", "quantity": 2, "condition": "sellable"}])
    before = _row_counts(), _on_hand()

    answer = _receive(second, [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}])

    assert answer.status_code == 400
    assert answer.json()["details"] == {"lines[0]": "TEA-001: the order had 2, all of them came back"}
    assert (_row_counts(), _on_hand()) == before


def test_a_request_with_lines_takes_back_only_its_lines(paid_order):
    from commerce.refunds.services import RefundLineInput

    refund = file_refund(paid_order, "199.00", lines=(RefundLineInput(sku="TEA-001", quantity=1),))
    before = _row_counts(), _on_hand()

    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 2, "condition": "sellable"}])

    assert answer.status_code == 400
    assert answer.json()["details"] == {"lines[0]": "TEA-001: at most 1 in all may come back"}
    assert (_row_counts(), _on_hand()) == before


def test_a_sku_that_is_not_on_the_request_is_refused(paid_order):
    refund = file_refund(paid_order, "299.00")

    answer = _receive(refund, [{"sku": "GIFT-TOTE", "quantity": 1, "condition": "sellable"}])

    assert answer.status_code == 400
    assert answer.json()["details"] == {"lines[0]": "GIFT-TOTE is not on this refund"}


def test_a_rejected_request_takes_no_returns(paid_order, supervisor):
    refund = file_refund(paid_order, "299.00")
    refund_reject(refund_id=refund.pk, user=supervisor, reason="已使用")
    before = _row_counts()

    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}])

    assert (answer.status_code, answer.json()["code"]) == (409, "refund_not_pending")
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "lines"),
        ({}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": 1, "condition": "broken"}]}, "lines"),
        ({"lines": [{"sku": "TEA-001", "quantity": 0, "condition": "sellable"}]}, "lines"),
        ({"lines": [{"sku": "TEA-001", "condition": "sellable"}]}, "lines"),
        (
            {"lines": [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}], "tracking_no": "x" * 65},
            "tracking_no",
        ),
        ({"lines": "TEA-001"}, "lines"),
    ],
)
def test_bad_input_is_refused_by_field_and_changes_nothing(paid_order, body, field):
    refund = file_refund(paid_order, "299.00")
    before = _row_counts(), _on_hand()

    answer = client_for("operator").post(_url(refund), body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["details"]
    assert (_row_counts(), _on_hand()) == before


def test_the_same_sku_and_condition_twice_in_one_receipt_is_refused(paid_order):
    refund = file_refund(paid_order, "299.00")
    line = {"sku": "TEA-001", "quantity": 1, "condition": "sellable"}

    answer = _receive(refund, [line, line])

    assert answer.status_code == 400
    assert answer.json()["details"] == {"lines[1]": "TEA-001 (sellable) is listed twice"}
    assert ReturnedGoods.objects.count() == 0


@pytest.mark.parametrize("role", ["finance", "manager"])
def test_only_order_workers_receive_returns(paid_order, role):
    refund = file_refund(paid_order, "299.00")

    answer = _receive(refund, [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}], role=role)

    assert answer.status_code == 403
    assert ReturnedGoods.objects.count() == 0


def test_the_return_is_on_the_order_timeline(paid_order):
    refund = file_refund(paid_order, "299.00")
    _receive(refund, [{"sku": "TEA-001", "quantity": 1, "condition": "damaged"}], tracking_no="SF1")

    timeline = client_for("manager").get(f"/api/v1/orders/{paid_order.pk}/timeline/").json()

    entries = timeline["results"] if isinstance(timeline, dict) else timeline
    received = [e for e in entries if e["action"] == "refund_return_received"]
    assert len(received) == 1
    assert received[0]["changes"]["lines"] == [{"sku": "TEA-001", "quantity": 1, "condition": "damaged"}]
    assert received[0]["changes"]["tracking_no"] == "SF1"


def test_a_receipt_emits_refund_returned_with_what_came_back(paid_order):
    from commerce.outbox.models import OutboxEvent

    refund = file_refund(paid_order, "299.00", return_needed=True)

    _receive(
        refund,
        [
            {"sku": "TEA-001", "quantity": 1, "condition": "sellable"},
            {"sku": "TEA-001", "quantity": 1, "condition": "damaged"},
        ],
        tracking_no="SF9",
    )

    event = OutboxEvent.objects.get(name="refund.returned")
    assert (event.subject_type, event.subject_id) == ("refund", str(refund.pk))
    assert event.payload["tracking_no"] == "SF9"
    assert event.payload["returned"] == [
        {"sku": "TEA-001", "quantity": 1, "condition": "sellable", "disposition": "restocked", "warehouse": "sh-main"},
        {"sku": "TEA-001", "quantity": 1, "condition": "damaged", "disposition": "quarantine", "warehouse": ""},
    ]
    assert event.payload["refund"]["id"] == refund.pk


def test_a_refused_receipt_emits_nothing(paid_order):
    from commerce.outbox.models import OutboxEvent

    refund = file_refund(paid_order, "299.00")

    _receive(refund, [{"sku": "TEA-001", "quantity": 3, "condition": "sellable"}])

    assert not OutboxEvent.objects.filter(name="refund.returned").exists()
