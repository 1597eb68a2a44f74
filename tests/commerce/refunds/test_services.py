"""Filing and deciding refunds: the paid cap, lines, duplicates from a channel, approvals in order,
no self-approval, a rejection's reason, cancellation, offline refunds, the trail and the events."""

from decimal import Decimal

import pytest

from commerce.audit.models import AuditEntry
from commerce.outbox.models import OutboxEvent
from commerce.refunds.errors import (
    InvalidRefund,
    NotYourApproval,
    OrderNotPaid,
    RefundExceedsPaid,
    RefundNotPending,
    SelfApproval,
)
from commerce.refunds.models import RefundDecision, RefundRequest
from commerce.refunds.services import (
    RefundLineInput,
    refund_approve,
    refund_cancel,
    refund_reject,
    refund_retry,
)
from tests.factories import TEST_ACTOR, create_order, make_user

from .conftest import file_refund

pytestmark = pytest.mark.django_db


def _events():
    return list(OutboxEvent.objects.filter(name__startswith="refund.").values_list("name", flat=True).order_by("id"))


def test_within_the_automatic_tier_it_is_approved_at_once_with_its_events(paid_order):
    refund = file_refund(paid_order, "50.00")

    assert (refund.status, refund.method, refund.approvals_needed, refund.queue) == (
        "approved",
        "gateway",
        [],
        "service",
    )
    assert _events() == ["refund.requested", "refund.approved"]
    actions = AuditEntry.objects.filter(subject_type="order", subject_id=str(paid_order.pk)).values_list(
        "action", flat=True
    )
    assert {"refund_requested", "refund_approved"} <= set(actions)


def test_over_200_a_supervisor_then_finance_approve_and_each_decision_is_kept(paid_order, supervisor, finance):
    refund = file_refund(paid_order, "299.00")
    assert (refund.status, refund.approvals_needed) == ("approving", ["supervisor", "finance"])

    refund_approve(refund_id=refund.pk, user=supervisor, note="photos checked")
    middle = RefundRequest.objects.get(pk=refund.pk)
    assert (middle.status, middle.approvals_needed) == ("approving", ["finance"])
    refund_approve(refund_id=refund.pk, user=finance)

    done = RefundRequest.objects.get(pk=refund.pk)
    assert (done.status, done.approvals_needed) == ("approved", [])
    decisions = list(RefundDecision.objects.filter(request=refund).values_list("kind", "role", "actor_label"))
    assert decisions == [("approve", "supervisor", "sup-li"), ("approve", "finance", "fin-wang")]
    assert _events() == ["refund.requested", "refund.approved"]


def test_finance_cannot_give_the_supervisors_approval(paid_order, finance):
    refund = file_refund(paid_order, "299.00")

    with pytest.raises(NotYourApproval):
        refund_approve(refund_id=refund.pk, user=finance)
    assert RefundRequest.objects.get(pk=refund.pk).approvals_needed == ["supervisor", "finance"]


def test_the_requester_cannot_approve_their_own_request(paid_order):
    boss = make_user("boss", "supervisor")
    refund = file_refund(paid_order, "120.00", user=boss)

    with pytest.raises(SelfApproval):
        refund_approve(refund_id=refund.pk, user=boss)
    assert not RefundDecision.objects.filter(request=refund).exists()


def test_one_person_cannot_give_both_approvals(paid_order):
    both = make_user("both", "supervisor")
    both.groups.add(make_user("tmp", "finance").groups.get())
    refund = file_refund(paid_order, "299.00")
    refund_approve(refund_id=refund.pk, user=both)

    with pytest.raises(SelfApproval):
        refund_approve(refund_id=refund.pk, user=both)
    assert RefundRequest.objects.get(pk=refund.pk).approvals_needed == ["finance"]


def test_a_rejection_needs_a_reason_and_is_final(paid_order, supervisor):
    refund = file_refund(paid_order, "120.00")

    with pytest.raises(InvalidRefund):
        refund_reject(refund_id=refund.pk, user=supervisor, reason="  ")
    refund_reject(refund_id=refund.pk, user=supervisor, reason="the seal is broken")

    assert RefundRequest.objects.get(pk=refund.pk).status == "rejected"
    assert _events() == ["refund.requested", "refund.rejected"]
    with pytest.raises(RefundNotPending):
        refund_approve(refund_id=refund.pk, user=supervisor)


def test_refunds_never_add_up_past_what_was_paid(paid_order):
    file_refund(paid_order, "300.00")

    with pytest.raises(RefundExceedsPaid) as refused:
        file_refund(paid_order, "98.01")
    assert refused.value.details["already_requested"] == "300.00"
    assert file_refund(paid_order, "98.00").amount == Decimal("98.00")
    assert RefundRequest.objects.count() == 2


def test_a_rejected_or_cancelled_request_frees_its_amount(paid_order, supervisor):
    first = file_refund(paid_order, "398.00")
    refund_reject(refund_id=first.pk, user=supervisor, reason="no")

    again = file_refund(paid_order, "398.00")
    refund_cancel(refund_id=again.pk, actor=TEST_ACTOR)

    assert file_refund(paid_order, "398.00").status == "approving"


def test_an_unpaid_order_has_nothing_to_refund(channel, stocked):
    order = create_order(channel, external_id="TM-UNPAID")

    with pytest.raises(OrderNotPaid):
        file_refund(order, "10.00")
    assert not RefundRequest.objects.exists()


@pytest.mark.parametrize(
    "lines, where",
    [
        ((RefundLineInput("NOPE-1", 1),), "lines[0]"),
        ((RefundLineInput("TEA-001", 3),), "lines[0]"),
        ((RefundLineInput("TEA-001", 1), RefundLineInput("TEA-001", 1)), "lines[1]"),
    ],
    ids=["not on the order", "more than ordered", "listed twice"],
)
def test_lines_must_be_on_the_order_and_not_refunded_already(paid_order, lines, where):
    with pytest.raises(InvalidRefund) as refused:
        file_refund(paid_order, "10.00", lines=lines)
    assert where in refused.value.details
    assert not RefundRequest.objects.exists()


def test_lines_already_asked_for_are_counted(paid_order):
    file_refund(paid_order, "10.00", lines=(RefundLineInput("TEA-001", 2),))

    with pytest.raises(InvalidRefund):
        file_refund(paid_order, "10.00", lines=(RefundLineInput("TEA-001", 1),))


def test_the_same_channel_refund_twice_is_one_request(paid_order):
    first = file_refund(paid_order, "40.00", source_key="shopify:9001")
    again = file_refund(paid_order, "40.00", source_key="shopify:9001")

    assert again.pk == first.pk
    assert RefundRequest.objects.count() == 1
    assert _events() == ["refund.requested", "refund.approved"]


@pytest.mark.parametrize("amount", ["0", "-1", "1.001"])
def test_a_bad_amount_is_refused(paid_order, amount):
    with pytest.raises(InvalidRefund):
        file_refund(paid_order, amount)


def test_an_order_paid_outside_a_gateway_is_refunded_by_finance_with_a_reference(channel, stocked, finance):
    from commerce.orders.services import order_transition

    order = create_order(channel, external_id="TM-COD")
    order_transition(order_id=order.pk, to="paid", reason="cash on delivery", actor=TEST_ACTOR)
    refund = file_refund(order, "20.00")
    assert (refund.method, refund.status, refund.approvals_needed) == ("offline", "approving", ["finance"])

    with pytest.raises(InvalidRefund):
        refund_approve(refund_id=refund.pk, user=finance)
    refund_approve(refund_id=refund.pk, user=finance, reference="BANK-20261206-01")

    done = RefundRequest.objects.get(pk=refund.pk)
    assert (done.status, done.reference) == ("refunded", "BANK-20261206-01")
    assert done.paid_at is not None
    assert _events() == ["refund.requested", "refund.approved", "refund.paid"]


def test_only_a_failed_payout_can_be_retried(paid_order):
    refund = file_refund(paid_order, "30.00")

    with pytest.raises(RefundNotPending):
        refund_retry(refund_id=refund.pk, actor=TEST_ACTOR)


def test_a_decided_request_cannot_be_cancelled(paid_order):
    refund = file_refund(paid_order, "30.00")

    with pytest.raises(RefundNotPending):
        refund_cancel(refund_id=refund.pk, actor=TEST_ACTOR)
