"""Racing on one order: filings from operators and a channel, and approvals, never refund more than was paid.

Each request reads what the order's refunds already ask for and writes its own under the order's
row lock; without the lock, requests racing here would each see room for themselves.
"""

from decimal import Decimal

import pytest

from commerce.refunds.errors import RefundExceedsPaid, RefundNotPending, SelfApproval
from commerce.refunds.models import RefundRequest
from commerce.refunds.services import RefundInput, refund_approve, refund_request
from tests.concurrency import at_once
from tests.factories import TEST_ACTOR, create_order, make_user, pay_through_gateway

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_filings_never_pass_what_the_order_paid(channel, stocked):
    order = create_order(channel, external_id="TM-RACE", lines=(("TEA-001", 2),))  # 398.00
    pay_through_gateway(order)

    def file(index: int) -> str:
        source = f"shopify:{index}" if index % 2 else ""  # half of them from the channel
        try:
            refund_request(
                data=RefundInput(order_id=order.pk, amount=Decimal("150.00"), reason="quality", source_key=source),
                actor=TEST_ACTOR,
            )
            return "filed"
        except RefundExceedsPaid:
            return "refused"

    outcomes = at_once(file, 8)

    assert sorted(outcomes) == ["filed"] * 2 + ["refused"] * 6
    total = sum(RefundRequest.objects.filter(order=order).values_list("amount", flat=True))
    assert total == Decimal("300.00") <= Decimal("398.00")


def test_two_supervisors_approving_at_once_give_one_approval(channel, stocked):
    order = create_order(channel, external_id="TM-RACE-2", lines=(("TEA-001", 2),))
    pay_through_gateway(order)
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal("120.00"), reason="quality"), actor=TEST_ACTOR
    )
    approvers = [make_user(f"sup-{n}", "supervisor") for n in range(2)]

    def approve(index: int) -> str:
        try:
            refund_approve(refund_id=refund.pk, user=approvers[index])
            return "approved"
        except (RefundNotPending, SelfApproval):
            return "too late"

    assert sorted(at_once(approve, 2)) == ["approved", "too late"]
    refund.refresh_from_db()
    assert (refund.status, refund.decisions.count()) == ("approved", 1)


def test_customers_filing_at_once_through_the_link_never_pass_what_was_paid_nor_the_hourly_limit(
    channel, stocked, settings, tmp_path
):
    from commerce.refunds.errors import InvalidRefund
    from commerce.refunds.filing import FilingRateLimited, refund_file_by_customer
    from commerce.refunds.services import RefundLineInput
    from commerce.tickets.models import Ticket

    settings.ORDERFLOW_REFUND_EVIDENCE_DIR = str(tmp_path)
    settings.ORDERFLOW_REFUND_FILING_PER_HOUR = 5
    order = create_order(channel, external_id="TM-RACE-LINK", lines=(("TEA-001", 2),))  # 398.00
    pay_through_gateway(order)

    def file(index: int) -> str:
        try:
            refund_file_by_customer(
                order_id=order.pk,
                lines=[RefundLineInput(sku="TEA-001", quantity=1)],
                reason="quality",
                note=f"#{index}",
                images=[],
            )
            return "filed"
        except (RefundExceedsPaid, InvalidRefund, FilingRateLimited):
            return "refused"

    outcomes = at_once(file, 6)

    assert sorted(outcomes) == ["filed"] * 2 + ["refused"] * 4
    assert sum(RefundRequest.objects.filter(order=order).values_list("amount", flat=True)) == Decimal("398.00")
    assert Ticket.objects.filter(order=order).count() == 2


def test_bulk_approvals_racing_with_single_ones_approve_each_step_once(channel, stocked):
    from commerce.refunds.services import refunds_bulk_approve

    order = create_order(channel, external_id="TM-RACE-BULK", lines=(("TEA-001", 2),))
    pay_through_gateway(order)
    refunds = [
        refund_request(
            data=RefundInput(order_id=order.pk, amount=Decimal("100.00"), reason="quality"), actor=TEST_ACTOR
        )[0]
        for _ in range(3)
    ]
    approvers = [make_user(f"bulk-sup-{n}", "supervisor") for n in range(4)]

    def approve(index: int) -> list[str]:
        if index % 2:
            return [
                r["outcome"] for r in refunds_bulk_approve(refund_ids=[r.pk for r in refunds], user=approvers[index])
            ]
        try:
            refund_approve(refund_id=refunds[index // 2].pk, user=approvers[index])
            return ["approved"]
        except (RefundNotPending, SelfApproval):
            return ["refused"]

    outcomes = [outcome for answer in at_once(approve, 4) for outcome in answer]

    assert outcomes.count("approved") == 3
    for refund in refunds:
        refund.refresh_from_db()
        assert (refund.status, refund.decisions.count()) == ("approved", 1)
