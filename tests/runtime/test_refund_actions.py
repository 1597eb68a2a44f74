"""Refund actions through the real dispatcher: a flow files one request, approves within the
supervisor's tier only, and rejects with a reason."""

from decimal import Decimal

import pytest

from commerce.refunds.models import RefundDecision, RefundRequest
from commerce.refunds.services import RefundInput, refund_request
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.factories import TEST_ACTOR, create_order, pay_through_gateway

from .conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(channel, stocked):
    order = create_order(channel, external_id="TM-FLOW-RF", lines=(("TEA-001", 2),))  # 398.00
    pay_through_gateway(order)
    return order


def _file(order, amount):
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(amount), reason="quality"), actor=TEST_ACTOR
    )
    return refund


def test_a_flow_files_one_refund_request_for_the_order(channel, stocked):
    flow = publish(
        event_flow(
            "payment.received",
            [action("refund", "refund.request", {"amount": "20.00", "reason": "price_adjustment", "note": "保价"})],
        )
    )
    order = create_order(channel, external_id="TM-FLOW-RF-2", lines=(("TEA-001", 1),))

    pay_through_gateway(order)
    outbox_drain(run_inline=20)
    outbox_drain(run_inline=20)  # a second drain finds nothing new

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    refund = RefundRequest.objects.get()
    assert (refund.order_id, refund.amount, refund.reason, refund.status) == (
        order.pk,
        Decimal("20.00"),
        "price_adjustment",
        "approved",
    )
    assert refund.source_key.startswith("flow:")


def test_a_flow_approves_a_request_within_the_supervisors_tier(paid_order):
    flow = publish(event_flow("refund.requested", [action("ok", "refund.approve", {"note": "老客户"})]))

    refund = _file(paid_order, "150.00")
    outbox_drain(run_inline=20)

    assert Execution.objects.get(flow=flow).status == "succeeded"
    refund.refresh_from_db()
    assert (refund.status, refund.approvals_needed) == ("approved", [])
    decision = RefundDecision.objects.get(request=refund)
    assert (decision.kind, decision.role, decision.user_id, decision.note) == ("approve", "supervisor", None, "老客户")


def test_a_flow_cannot_give_finances_approval(paid_order):
    flow = publish(event_flow("refund.requested", [action("ok", "refund.approve", {})]))

    refund = _file(paid_order, "299.00")
    outbox_drain(run_inline=20)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "dead"
    assert execution.steps.get(node_id="ok").error["code"] == "not_your_approval"
    refund.refresh_from_db()
    assert (refund.status, refund.approvals_needed) == ("approving", ["supervisor", "finance"])


def test_a_flow_rejects_with_its_reason(paid_order):
    publish(event_flow("refund.requested", [action("no", "refund.reject", {"reason": "超过七天无理由期限"})]))

    refund = _file(paid_order, "299.00")
    outbox_drain(run_inline=20)

    refund.refresh_from_db()
    assert refund.status == "rejected"
    assert RefundDecision.objects.get(request=refund).note == "超过七天无理由期限"


def test_a_flow_makes_the_customers_filing_link_for_the_order(paid_order, settings):
    from django.test import Client

    settings.ORDERFLOW_PUBLIC_URL = "https://shop.example.com"
    flow = publish(event_flow("refund.requested", [action("link", "refund.filing_link", {})]))
    _file(paid_order, "120.00")

    outbox_drain(run_inline=20)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    output = execution.steps.get(node_id="link").output
    assert output["url"].startswith("https://shop.example.com/t/refund/file/")
    page = Client().get(output["url"].removeprefix("https://shop.example.com"))
    assert page.status_code == 200 and f"****{paid_order.number[-4:]}" in page.content.decode()
