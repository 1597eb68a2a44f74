"""Crafted orders and notifications for the KPI tests: each field set exactly, as a test needs it."""

import copy
from datetime import datetime, timedelta
from decimal import Decimal

from builder import services as flow_services
from commerce.orders.models import Order
from commerce.payments.models import Payment, PaymentRefund
from commerce.tickets.services import ticket_open
from connectors.notify.models import NotificationLog
from runtime import statuses as executions
from runtime.models import Execution
from tests.factories import TEST_ACTOR, create_order, make_user

UTC = datetime.min.tzinfo
_seq = iter(range(1, 10**9))

MANUAL_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "KPI tests",
    "trigger": {"type": "manual"},
    "nodes": [
        {"id": "tell", "type": "action", "action": "notify.inbox", "params": {"to_role": "supervisor", "title": "Hi"}}
    ],
    "edges": [{"from": "trigger", "to": "tell"}],
}


def at(text: str) -> datetime:
    """An aware UTC datetime from ``2026-11-30T15:59:59``."""
    return datetime.fromisoformat(text + "+00:00")


def order(
    channel,
    *,
    placed: datetime,
    status: str = "pending_payment",
    paid: datetime | None = None,
    shipped: datetime | None = None,
    lag: int | None = None,
    held: bool = False,
    quantity: int = 1,
    updated: datetime | None = None,
) -> Order:
    """An order of ``quantity`` × TEA-001 (199.00 each) placed at ``placed``, then set as given."""
    created = create_order(channel, external_id=f"K-{next(_seq)}", lines=(("TEA-001", quantity),), placed_at=placed)
    fields = {
        "status": status,
        "paid_at": paid,
        "shipped_at": shipped,
        "channel_lag_seconds": lag,
        "on_hold": held,
        "hold_reason": "check" if held else "",
    }
    if updated is not None:
        fields["updated_at"] = updated
    Order.objects.filter(pk=created.pk).update(**fields)
    return Order.objects.get(pk=created.pk)


def dead_execution(order_id: int) -> Execution:
    owner = make_user("kpi-flow-owner", "operator")
    flow = flow_services.flow_create(owner=owner, definition=copy.deepcopy(MANUAL_FLOW))
    version = flow_services.flow_publish(flow_id=flow.pk, user=owner)
    return Execution.objects.create(
        flow=flow,
        flow_version=version,
        trigger_type="manual",
        subject_key=f"order:{order_id}",
        status=executions.DEAD,
        current_node="tell",
        context={},
    )


def open_ticket(order_id: int):
    return ticket_open(
        title="Check",
        queue="warehouse",
        priority="normal",
        assignee_role="operator",
        due_at=None,
        order_id=order_id,
        actor=TEST_ACTOR,
    )


def refund(order: Order, *, status: str = PaymentRefund.SUCCEEDED) -> PaymentRefund:
    n = next(_seq)
    payment = Payment.objects.create(
        order=order,
        attempt=Payment.objects.filter(order=order).count() + 1,
        gateway="alipay",
        out_trade_no=f"P-{n}",
        amount=order.total_amount,
        status=Payment.PAID,
        paid_amount=order.total_amount,
        paid_at=order.paid_at,
    )
    return PaymentRefund.objects.create(payment=payment, out_request_no=f"R-{n}", amount=Decimal("1.00"), status=status)


def notification(*, status: str, attempts: int, created: datetime, order: Order | None = None) -> NotificationLog:
    log = NotificationLog.objects.create(
        channel="sms",
        message_sealed="x",
        idempotency_key=f"N-{next(_seq)}",
        status=status,
        attempts=attempts,
        order=order,
    )
    NotificationLog.objects.filter(pk=log.pk).update(created_at=created)
    return log


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
