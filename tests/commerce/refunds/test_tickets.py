"""Each refund request opens one ticket in the queue the policy routes it to; it closes when the request ends."""

from decimal import Decimal

import pytest

from commerce.refunds.models import RefundRequest
from commerce.refunds.services import (
    RefundInput,
    refund_approve,
    refund_cancel,
    refund_paid,
    refund_record_channel,
    refund_reject,
    refund_request,
)
from commerce.tickets.models import Ticket
from tests.conftest import client_for
from tests.factories import TEST_ACTOR

from .conftest import file_refund

pytestmark = pytest.mark.django_db


def test_a_request_opens_one_ticket_in_its_queue_for_the_first_approver(paid_order):
    refund = file_refund(paid_order, "299.00", reason="damaged_in_transit")

    ticket = Ticket.objects.get()
    assert refund.ticket_id == ticket.pk
    assert refund.ticket_number == f"TK{ticket.pk:06d}"
    assert (ticket.queue, ticket.assignee_role, ticket.status, ticket.order_id) == (
        "warehouse",
        "supervisor",
        "open",
        paid_order.pk,
    )
    assert ticket.title == f"退款申请 #{refund.pk} · 订单 {paid_order.number} · ¥299.00"
    assert ticket.due_at is not None


def test_the_ticket_number_is_on_the_list_and_the_detail(paid_order):
    refund = file_refund(paid_order, "299.00")

    listed = client_for("manager").get("/api/v1/refunds/").json()["results"][0]
    detail = client_for("manager").get(f"/api/v1/refunds/{refund.pk}/").json()

    assert listed["ticket_number"] == detail["ticket_number"] == f"TK{refund.ticket_id:06d}"


def test_an_automatic_approval_opens_the_ticket_for_operators(paid_order):
    refund = file_refund(paid_order, "50.00", reason="price_adjustment")

    assert (refund.status, refund.ticket.queue, refund.ticket.assignee_role) == ("approved", "finance", "operator")


def test_a_channel_delivering_twice_opens_one_ticket_closed_at_once(paid_order):
    data = RefundInput(order_id=paid_order.pk, amount=Decimal("10.00"), reason="other", source_key="shopify:77")

    first, created = refund_record_channel(data=data, actor=TEST_ACTOR)
    again, created_again = refund_record_channel(data=data, actor=TEST_ACTOR)
    also, _ = refund_request(data=data, actor=TEST_ACTOR)

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk == also.pk
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().status == "closed"


@pytest.mark.parametrize("ending", ["rejected", "cancelled", "refunded"])
def test_the_ticket_closes_when_the_request_ends(paid_order, supervisor, finance, ending):
    refund = file_refund(paid_order, "299.00")
    if ending == "rejected":
        refund_reject(refund_id=refund.pk, user=supervisor, reason="used")
    elif ending == "cancelled":
        refund_cancel(refund_id=refund.pk, actor=TEST_ACTOR)
    else:
        refund_approve(refund_id=refund.pk, user=supervisor)
        refund_approve(refund_id=refund.pk, user=finance)
        assert Ticket.objects.get().status == "open"  # approved, the money still to go back
        refund_paid(refund_id=refund.pk, actor=TEST_ACTOR)

    ticket = Ticket.objects.get()
    assert RefundRequest.objects.get().status == ending
    assert (ticket.status, ticket.closed_at is not None) == ("closed", True)
    assert ending in ticket.resolution


def test_a_duplicate_paid_notice_closes_nothing_twice(paid_order, supervisor, finance):
    refund = file_refund(paid_order, "299.00")
    refund_approve(refund_id=refund.pk, user=supervisor)
    refund_approve(refund_id=refund.pk, user=finance)
    refund_paid(refund_id=refund.pk, actor=TEST_ACTOR)

    refund_paid(refund_id=refund.pk, actor=TEST_ACTOR)

    timeline = client_for("manager").get(f"/api/v1/orders/{paid_order.pk}/timeline/").json()
    entries = timeline["results"] if isinstance(timeline, dict) else timeline
    assert [e["action"] for e in entries].count("ticket_closed") == 1
    assert [e["action"] for e in entries].count("ticket_opened") == 1


def test_a_route_that_is_not_a_queue_slug_is_refused_by_the_policy():
    answer = client_for("admin").post(
        "/api/v1/refunds/policy/", {"document": {"routes": {"quality": "售后 队列"}}}, format="json"
    )

    assert (answer.status_code, sorted(answer.json()["details"])) == (400, ["routes"])
