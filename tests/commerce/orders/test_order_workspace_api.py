"""``GET /api/v1/orders/{id}/workspace/``: what the order detail page shows around the order, in one call."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.orders import services as order_services
from commerce.payments.models import Payment, PaymentRefund
from commerce.shipments.services import TrackingInput, shipment_create, tracking_events_apply
from commerce.tickets.services import ticket_open
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def _url(order_id) -> str:
    return f"/api/v1/orders/{order_id}/workspace/"


@pytest.fixture
def worked_order(channel, stocked):
    """A paid, shipped order with one payment partly refunded, a parcel with two tracking nodes and a ticket."""
    order = create_order(channel, external_id="WS-1", lines=(("TEA-001", 2),), status="paid")
    payment = Payment.objects.create(
        order=order,
        attempt=1,
        gateway="alipay",
        out_trade_no="OF-WS-1-1",
        amount=Decimal("398.00"),
        status=Payment.REFUNDED_PARTIALLY,
        paid_amount=Decimal("398.00"),
        refunded_amount=Decimal("50.00"),
        gateway_trade_no="2026120622001",
        confirmed_by="notify",
        paid_at=datetime(2026, 12, 6, 5, 0, tzinfo=UTC),
    )
    PaymentRefund.objects.create(
        payment=payment,
        out_request_no="RF-1",
        amount=Decimal("50.00"),
        reason="damaged box",
        status=PaymentRefund.SUCCEEDED,
    )
    order_services.order_transition(order_id=order.pk, to="shipped", actor=TEST_ACTOR)
    shipment_create(order_id=order.pk, courier="kuaidi100", carrier="yuantong", tracking_no="YT1", actor=TEST_ACTOR)
    tracking_events_apply(
        courier="kuaidi100",
        tracking_no="YT1",
        events=[
            TrackingInput(occurred_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC), status="in_transit", description="揽收"),
            TrackingInput(
                occurred_at=datetime(2026, 12, 6, 9, 0, tzinfo=UTC), status="in_transit", description="到达杭州"
            ),
        ],
        actor=TEST_ACTOR,
        source="tests",
    )
    ticket_open(
        title="Box damaged",
        queue="service",
        priority="high",
        assignee_role="operator",
        due_at=None,
        order_id=order.pk,
        actor=TEST_ACTOR,
    )
    return order


@pytest.mark.parametrize("role", ["operator", "supervisor", "finance", "admin", "manager"])
def test_every_role_reads_the_workspace_of_an_order(worked_order, role):
    response = client_for(role).get(_url(worked_order.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["order"]["number"] == worked_order.number
    assert body["channel"] == {"code": "tmall", "name": "天猫旗舰店", "kind": "marketplace"}
    assert [(p["out_trade_no"], p["status"], p["paid_amount"], p["refunded_amount"]) for p in body["payments"]] == [
        ("OF-WS-1-1", "refunded_partially", "398.00", "50.00")
    ]
    assert "notifications" not in body["payments"][0]
    assert [(r["out_request_no"], r["amount"], r["status"], r["gateway"]) for r in body["refunds"]] == [
        ("RF-1", "50.00", "succeeded", "alipay")
    ]
    assert [(s["tracking_no"], [e["description"] for e in s["events"]]) for s in body["shipments"]] == [
        ("YT1", ["揽收", "到达杭州"])
    ]
    assert body["shipments"][0]["latest_event"]["description"] == "到达杭州"
    assert [(t["title"], t["order"], t["order_number"]) for t in body["tickets"]] == [
        ("Box damaged", worked_order.pk, worked_order.number)
    ]


def test_an_order_without_payments_shipments_or_tickets_answers_empty_lists(channel, stocked):
    order = create_order(channel, external_id="WS-2")

    body = client_for("operator").get(_url(order.pk)).json()

    assert (body["payments"], body["refunds"], body["shipments"], body["tickets"]) == ([], [], [], [])


def test_the_workspace_reads_a_fixed_number_of_queries_whatever_the_parcels(worked_order):
    client = client_for("operator")
    client.get(_url(worked_order.pk))  # the user and its roles, read once
    with CaptureQueriesContext(connection) as one:
        client.get(_url(worked_order.pk))
    for n in range(2, 5):
        shipment_create(
            order_id=worked_order.pk, courier="kuaidi100", carrier="yuantong", tracking_no=f"YT{n}", actor=TEST_ACTOR
        )
        tracking_events_apply(
            courier="kuaidi100",
            tracking_no=f"YT{n}",
            events=[TrackingInput(occurred_at=datetime(2026, 12, 6, 8, n, tzinfo=UTC), status="in_transit")],
            actor=TEST_ACTOR,
            source="tests",
        )
    with CaptureQueriesContext(connection) as four:
        client.get(_url(worked_order.pk))

    assert len(four) == len(one)


def test_an_unknown_order_answers_404_and_anonymous_callers_401(worked_order):
    assert client_for("operator").get(_url(worked_order.pk + 1000)).status_code == 404
    assert client_for("operator").get(_url(worked_order.pk + 1000)).json()["code"] == "not_found"
    assert client_for(None).get(_url(worked_order.pk)).status_code == 401
