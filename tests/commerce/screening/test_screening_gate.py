"""The smart audit at the warehouse gate: each default check, the queue's pass and reject, the rule set's versions."""

import pytest

from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.screening.models import ScreeningCase
from commerce.screening.services import screening_gate
from commerce.screening.signals import screening_passed
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def _paid(channel, **extra):
    return create_order(channel, status="paid", **extra)


def _failed(order) -> list[str]:
    return [r["key"] for r in screening_gate(order_id=order.pk).reasons]


def test_a_clean_paid_order_passes_automatically(channel, stocked):
    order = _paid(channel)

    verdict = screening_gate(order_id=order.pk)

    assert verdict.passed and verdict.case.state == "passed" and verdict.case.automatic


def test_an_incomplete_address_waits(channel, stocked):
    order = _paid(channel)
    Order.objects.filter(pk=order.pk).update(district="")

    assert _failed(order) == ["address_complete"]
    assert ScreeningCase.objects.get(order=order).state == "waiting"


def test_an_amount_over_the_limit_waits(channel, stocked):
    order = _paid(channel, lines=(("TEA-001", 100),))  # 100 × 199.00 = 19900: within
    assert _failed(order) == []
    Order.objects.filter(pk=order.pk).update(total_amount="20000.01")
    assert _failed(order) == ["amount_within_limits"]


def test_a_held_order_waits(channel, stocked):
    order = _paid(channel)
    order_services.order_hold(order_id=order.pk, reason="call the buyer", actor=TEST_ACTOR)

    assert _failed(order) == ["not_held"]


def test_a_remark_with_a_flagged_keyword_waits(channel, stocked):
    order = _paid(channel, buyer_remark="麻烦改地址到公司")
    assert _failed(order) == ["remark_keywords"]
    assert _failed(_paid(channel, external_id="E-2", buyer_remark="请尽快发货")) == []


def test_an_order_without_its_stock_waits(channel, stocked):
    from commerce.inventory.services import reservations_release

    order = create_order(channel)
    reservations_release(order_id=order.pk, actor=TEST_ACTOR, reason="tests")

    assert _failed(order) == ["not_paid", "stock_allocated"]


def test_the_operator_passes_a_waiting_order_and_the_push_is_asked_for(
    channel, stocked, django_capture_on_commit_callbacks
):
    order = _paid(channel, buyer_remark="投诉")
    screening_gate(order_id=order.pk)
    sent = []
    screening_passed.connect(lambda **kw: sent.append(kw["order_id"]), dispatch_uid="test.sent", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            answer = client_for("operator").post(
                f"/api/v1/screening/cases/{order.pk}/pass/", {"note": "ok"}, format="json"
            )
    finally:
        screening_passed.disconnect(dispatch_uid="test.sent")

    assert answer.status_code == 200, answer.content
    assert sent == [order.pk]
    assert (answer.json()["state"], answer.json()["automatic"]) == ("passed", False)
    assert screening_gate(order_id=order.pk).passed  # an operator's pass stands
    again = client_for("operator").post(f"/api/v1/screening/cases/{order.pk}/pass/", {}, format="json")
    assert again.status_code == 409


def test_the_operator_rejects_a_waiting_order(channel, stocked):
    order = _paid(channel, buyer_remark="投诉")
    screening_gate(order_id=order.pk)

    bad = client_for("operator").post(f"/api/v1/screening/cases/{order.pk}/reject/", {}, format="json")
    answer = client_for("operator").post(
        f"/api/v1/screening/cases/{order.pk}/reject/", {"reason": "假地址"}, format="json"
    )

    assert bad.status_code == 400 and "reason" in bad.json()["details"]
    assert answer.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert not screening_gate(order_id=order.pk).passed


def test_the_queue_lists_waiting_orders_with_reasons(channel, stocked):
    order = _paid(channel, buyer_remark="要发票")
    screening_gate(order_id=order.pk)

    rows = client_for("manager").get("/api/v1/screening/cases/").json()["results"]

    assert [(r["order_id"], [x["key"] for x in r["reasons"]]) for r in rows] == [(order.pk, ["remark_keywords"])]


def test_a_new_rule_set_version_is_saved_and_judges_from_then_on(channel, stocked):
    document = {
        "checks": [
            {
                "key": "small",
                "name_zh": "小额",
                "name_en": "Small",
                "condition": {"<": [{"var": "order.total_amount"}, 100]},
            }
        ]
    }

    answer = client_for("admin").post(
        "/api/v1/screening/rule-set/", {"document": document, "note": "v2"}, format="json"
    )

    assert answer.status_code == 201 and answer.json()["version"] == 2
    assert _failed(_paid(channel)) == ["small"]


@pytest.mark.parametrize(
    "document, field",
    [
        ({"checks": []}, "document.checks"),
        ({"rules": []}, "document"),
        (
            {"checks": [{"key": "a", "name_zh": "甲", "name_en": "A", "condition": {"var": "order.nope"}}]},
            "document.checks.0.condition",
        ),
        (
            {
                "checks": [
                    {"key": "A B", "name_zh": "甲", "name_en": "A", "condition": {"!!": {"var": "order.on_hold"}}}
                ]
            },
            "document.checks.0.key",
        ),
    ],
)
def test_a_bad_rule_set_is_refused_and_saves_nothing(document, field):
    answer = client_for("admin").post("/api/v1/screening/rule-set/", {"document": document}, format="json")

    assert answer.status_code == 400, answer.content
    assert field in answer.json()["details"]
    assert client_for("admin").get("/api/v1/screening/rule-set/").json()["version"] == 1
