"""The core actions, each in a one-node flow run by the real runner, acting through commerce services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.inbox.models import Notification
from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.services import stock_adjust
from commerce.orders.models import Order
from commerce.tickets.models import Ticket
from runtime.actions import handler_for
from runtime.actions.base import ActionRun
from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.errors import TerminalFailure
from runtime.models import Execution
from tests.factories import TEST_ACTOR, create_order
from tests.runtime.conftest import action, condition, event_flow, publish

pytestmark = pytest.mark.django_db

LATER = (timezone.now() + timedelta(days=1)).replace(microsecond=0)


def _run(flow, order) -> Execution:
    outbox_drain()
    execution = Execution.objects.get(flow=flow, subject_key=f"order:{order.pk}")
    execution_run(execution_id=execution.pk, now=LATER)
    execution.refresh_from_db()
    return execution


def _output(execution, node_id):
    return execution.steps.get(node_id=node_id).output


def test_order_transition_moves_the_order_and_audits_the_flow_as_actor(channel, stocked):
    flow = publish(
        event_flow("order.paid", [action("ship", "order.transition", {"to": "processing", "reason": "auto"})])
    )
    order = create_order(channel, external_id="A-1", status="paid")

    execution = _run(flow, order)

    assert execution.status == "succeeded"
    assert _output(execution, "ship") == {
        "order_id": order.pk,
        "outcome": "applied",
        "from": "paid",
        "to": "processing",
    }
    assert Order.objects.get(pk=order.pk).status == "processing"
    entry = AuditEntry.objects.get(subject_id=str(order.pk), action=AuditEntry.TRANSITIONED)
    assert (entry.actor_kind, entry.actor_id, entry.actor_label, entry.source) == (
        "flow_execution",
        str(execution.pk),
        "Test flow v1",
        f"flow:{flow.pk}",
    )
    assert entry.idempotency_key == f"flow:{execution.pk}:ship"


def test_order_transition_that_the_machine_forbids_kills_the_execution_without_retrying(channel, stocked):
    flow = publish(event_flow("order.paid", [action("back", "order.transition", {"to": "delivered"})]))
    order = create_order(channel, external_id="A-2", status="paid")

    execution = _run(flow, order)

    assert execution.status == "dead"
    step = execution.steps.get()
    assert (step.attempt, step.error["code"], step.error["retryable"]) == (1, "invalid_transition", False)
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_order_hold_then_release_with_a_templated_reason(channel, stocked):
    flow = publish(
        event_flow(
            "order.paid",
            [
                action("hold", "order.hold", {"reason": "check {{ order.number }}"}),
                action("release", "order.release", {"note": "checked"}),
                action("note", "order.note", {"text": "held for {{ steps.hold.reason }}"}),
            ],
        )
    )
    order = create_order(channel, external_id="A-3", status="paid")

    execution = _run(flow, order)

    assert _output(execution, "hold") == {"order_id": order.pk, "reason": f"check {order.number}", "was_held": False}
    assert _output(execution, "release") == {"order_id": order.pk, "was_held": True}
    assert _output(execution, "note") == {"order_id": order.pk, "text": f"held for check {order.number}"}
    assert list(
        AuditEntry.objects.filter(subject_id=str(order.pk), actor_kind="flow_execution").values_list(
            "action", flat=True
        )
    ) == ["held", "released", "noted"]
    assert Order.objects.get(pk=order.pk).on_hold is False


def test_order_tag_adds_the_tag_once(channel, stocked):
    flow = publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "vip"})]))
    order = create_order(channel, external_id="A-4", status="paid")

    execution = _run(flow, order)

    assert _output(execution, "tag") == {"order_id": order.pk, "tag": "vip"}
    assert list(order.tag_rows.values_list("name", flat=True)) == ["vip"]


def test_inventory_release_returns_the_reserved_stock_and_leaves_the_order_alone(channel, stocked):
    flow = publish(event_flow("order.created", [action("free", "inventory.release")]))
    order = create_order(channel, external_id="A-5", lines=(("TEA-001", 3),))
    reservation = Reservation.objects.get(order=order)
    assert StockItem.objects.get(pk=stocked.pk).reserved == 3

    execution = _run(flow, order)

    assert _output(execution, "free") == {
        "order_id": order.pk,
        "released": [{"reservation_id": reservation.pk, "sku": "TEA-001", "quantity": 3}],
    }
    assert (StockItem.objects.get(pk=stocked.pk).reserved, Reservation.objects.get(pk=reservation.pk).state) == (
        0,
        "released",
    )
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_ticket_open_opens_one_ticket_in_the_queue_linked_to_the_order(channel, stocked):
    flow = publish(
        event_flow(
            "order.paid",
            [
                action(
                    "escalate",
                    "ticket.open",
                    {
                        "title": "Order {{ order.number }} needs a look",
                        "queue": "supervisor",
                        "priority": "high",
                        "due_in_minutes": 60,
                    },
                )
            ],
        )
    )
    order = create_order(channel, external_id="A-6", status="paid")

    execution = _run(flow, order)

    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.queue, ticket.priority, ticket.assignee_role, ticket.order_id) == (
        f"Order {order.number} needs a look",
        "supervisor",
        "high",
        "supervisor",
        order.pk,
    )
    assert ticket.due_at == LATER + timedelta(minutes=60)
    assert (ticket.actor_kind, ticket.source) == ("flow_execution", f"flow:{flow.pk}")
    assert _output(execution, "escalate")["ticket_id"] == ticket.pk


def _action_run() -> ActionRun:
    return ActionRun(execution_id=1, node_id="n", key="1:n", actor=TEST_ACTOR, context={}, now=LATER)


def test_ticket_update_raises_the_ticket_a_step_opened_and_a_bad_id_fails_terminally(channel, stocked):
    opened = action(
        "escalate", "ticket.open", {"title": "Look at {{ order.number }}", "queue": "service", "priority": "normal"}
    )
    raised = action("raise", "ticket.update", {"ticket_id": "{{ steps.escalate.ticket_id }}", "priority": "urgent"})
    flow = publish(event_flow("order.paid", [opened, raised]))
    order = create_order(channel, external_id="A-7", status="paid")

    execution = _run(flow, order)

    assert Ticket.objects.get().priority == "urgent"
    assert _output(execution, "raise") == {
        "ticket_id": Ticket.objects.get().pk,
        "priority": "urgent",
        "queue": "service",
        "changed": ["priority"],
    }
    with pytest.raises(TerminalFailure):
        handler_for("ticket.update").perform({"ticket_id": "12abc", "priority": "low"}, _action_run())


def test_notify_inbox_writes_one_notification_for_the_role(channel, stocked):
    flow = publish(
        event_flow(
            "order.paid",
            [
                action(
                    "tell",
                    "notify.inbox",
                    {
                        "to_role": "operator",
                        "title": "Paid: {{ order.number }}",
                        "body": "{{ order.total_amount | money('¥') }}",
                    },
                )
            ],
        )
    )
    order = create_order(channel, external_id="A-7", status="paid")

    execution = _run(flow, order)

    note = Notification.objects.get()
    assert (note.to_role, note.title, note.body, note.order_id) == (
        "operator",
        f"Paid: {order.number}",
        "¥199.00",
        order.pk,
    )
    assert _output(execution, "tell") == {"notification_id": note.pk, "to_role": "operator"}


def test_inventory_check_reports_short_stock_for_a_condition_to_decide_on(channel, stocked):
    flow = publish(
        event_flow(
            "order.paid",
            [
                action("check", "inventory.check"),
                condition("short", {"var": "steps.check.short"}),
                action("hold", "order.hold", {"reason": "stock short"}),
            ],
            edges=[("trigger", "check"), ("check", "short"), ("short", "hold", "true")],
        )
    )
    stocked.safety_stock = 98
    stocked.save(update_fields=["safety_stock"])
    plenty = create_order(channel, external_id="A-8", status="paid")
    first = _run(flow, plenty)
    stock_adjust(sku="TEA-001", warehouse_code="sh-main", delta=-2, kind="adjustment", reason="count", actor=TEST_ACTOR)
    short = create_order(channel, external_id="A-9", status="paid")
    second = _run(flow, short)

    assert _output(first, "check") == {
        "order_id": plenty.pk,
        "short": False,
        "lines": [
            {
                "sku": "TEA-001",
                "warehouse": "sh-main",
                "on_hand": 99,
                "reserved": 0,
                "available": 99,
                "safety_stock": 98,
                "low_stock": False,
            }
        ],
    }
    assert _output(second, "check")["short"] is True
    assert [Order.objects.get(pk=o.pk).on_hold for o in (plenty, short)] == [False, True]
