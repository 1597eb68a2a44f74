"""Every path by which an order leaves for the warehouse passes the smart audit, and a waiting order
is released automatically once the checks it failed hold."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.inventory.models import Reservation
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.screening.errors import AwaitingAudit
from commerce.screening.models import ScreeningCase
from commerce.screening.services import screening_gate, screening_recheck_waiting
from commerce.screening.signals import screening_passed
from commerce.screening.tasks import screening_recheck_task
from core.actors import Actor
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

FLOW_ACTOR = Actor(kind="flow_execution", id="42", label="flow 7", source="flow")
WAREHOUSE_ACTOR = Actor(kind="connection", id="3", label="WMS", source="webhook:wms")


@pytest.fixture
def passed_signals():
    sent: list[int] = []
    screening_passed.connect(lambda **kw: sent.append(kw["order_id"]), dispatch_uid="test.passed", weak=False)
    yield sent
    screening_passed.disconnect(dispatch_uid="test.passed")


def _held(channel, **extra):
    order = create_order(channel, status="paid", **extra)
    order_services.order_hold(order_id=order.pk, reason="call the buyer", actor=TEST_ACTOR)
    return order


def test_a_person_cannot_move_a_held_order_to_processing(channel, stocked):
    order = _held(channel)

    answer = client_for("operator").post(
        f"/api/v1/orders/{order.pk}/transition/", {"to": "processing", "reason": "to the warehouse"}, format="json"
    )

    assert answer.status_code == 409, answer.content
    body = answer.json()
    assert body["code"] == "awaiting_audit"
    assert [r["key"] for r in body["details"]["reasons"]] == ["not_held"]
    assert body["details"]["path"] == "transition"
    assert Order.objects.get(pk=order.pk).status == "paid"
    # The refusal is recorded: the order waits in the audit queue with its reason.
    case = ScreeningCase.objects.get(order=order)
    assert (case.state, [r["key"] for r in case.reasons]) == ("waiting", ["not_held"])


def test_a_clean_order_moves_to_processing_and_its_case_is_passed(channel, stocked):
    order = create_order(channel, status="paid")

    answer = client_for("operator").post(
        f"/api/v1/orders/{order.pk}/transition/", {"to": "processing", "reason": ""}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["to_status"] == "processing"
    assert ScreeningCase.objects.get(order=order).state == "passed"


def test_a_flow_cannot_move_a_held_order_to_processing(channel, stocked):
    order = _held(channel)

    with pytest.raises(AwaitingAudit):
        order_services.order_transition(order_id=order.pk, to="processing", actor=FLOW_ACTOR, reason="flow")

    assert Order.objects.get(pk=order.pk).status == "paid"


def test_the_bulk_transition_reports_the_refusal_per_order(channel, stocked):
    held = _held(channel)
    clean = create_order(channel, status="paid", external_id="TM-CLEAN")

    answer = client_for("operator").post(
        "/api/v1/orders/bulk/",
        {"ids": [held.pk, clean.pk], "action": "transition", "to": "processing", "reason": "wave"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    results = {r["id"]: r for r in answer.json()["results"]}
    assert (results[held.pk]["ok"], results[held.pk]["code"]) == (False, "awaiting_audit")
    assert results[clean.pk]["ok"] is True
    assert Order.objects.get(pk=clean.pk).status == "processing"


def test_the_warehouse_reporting_a_pick_is_not_gated(channel, stocked):
    order = _held(channel)  # held after its pick list left: the warehouse's report still counts

    result = order_services.order_transition(order_id=order.pk, to="processing", actor=WAREHOUSE_ACTOR)

    assert result.outcome == "applied"
    assert not ScreeningCase.objects.filter(order=order).exists()


def test_releasing_the_hold_releases_the_waiting_order(
    channel, stocked, passed_signals, django_capture_on_commit_callbacks
):
    order = _held(channel)
    assert not screening_gate(order_id=order.pk).passed

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for("operator").post(f"/api/v1/orders/{order.pk}/release/", {"note": "ok"}, format="json")

    assert answer.status_code == 200, answer.content
    assert ScreeningCase.objects.get(order=order).state == "passed"
    assert passed_signals == [order.pk]


def test_the_sweep_releases_an_order_once_its_stock_is_allocated(
    channel, stocked, passed_signals, django_capture_on_commit_callbacks
):
    order = create_order(channel, status="paid")
    Reservation.objects.filter(order=order).update(state=Reservation.RELEASED)
    assert [r["key"] for r in screening_gate(order_id=order.pk).reasons] == ["stock_allocated"]

    with django_capture_on_commit_callbacks(execute=True):
        assert screening_recheck_waiting() == 0  # still short: stays waiting, nothing sent
    assert passed_signals == []

    Reservation.objects.filter(order=order).update(state=Reservation.COMMITTED)  # allocated later
    with django_capture_on_commit_callbacks(execute=True):
        assert screening_recheck_task() == 1

    assert ScreeningCase.objects.get(order=order).state == "passed"
    assert passed_signals == [order.pk]


def test_judging_again_writes_the_timeline_only_when_the_verdict_changes(channel, stocked):
    order = _held(channel)

    for _ in range(3):
        screening_gate(order_id=order.pk)
    screening_recheck_waiting()

    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="screened").count() == 1
