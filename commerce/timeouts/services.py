"""The timeout check: each order past a rule's minutes in its status is announced once as ``order.timeout``.

``orders_timeout_check`` runs every minute (``orderflow.schedules.services``). For each enabled rule
it finds the orders in the rule's status since longer than its minutes — on its channel, holding
goods of its category, when the rule says — that were not announced for this stay in the status,
and for each writes the mark (``OrderTimeout``, unique per order, rule and stay), an audit entry
on the order's timeline and the ``order.timeout`` event, in one transaction. An order that moves on
and comes back to the status (it cannot go backwards, but a hold/release keeps its status) is not
announced twice for the same stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.catalog.models import Product
from commerce.orders.lock_objects import order_lock
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.outbox import names
from commerce.outbox.services import event_emit
from core.actors import Actor

from .models import OrderTimeout, TimeoutRule

CHECK_ACTOR = Actor.system("order timeout check", source="schedule")
PER_RULE = 500  # orders announced per rule and run; the rest wait a minute


def rule_representation(rule: TimeoutRule) -> dict:
    return {
        "id": rule.pk,
        "name": rule.name,
        "status": rule.status,
        "minutes": rule.minutes,
        "channel": rule.channel.code if rule.channel is not None else None,
        "category": rule.category,
    }


def _due(rule: TimeoutRule, now: datetime):
    marked = OrderTimeout.objects.filter(
        order=OuterRef("pk"), rule=rule, status_changed_at=OuterRef("status_changed_at")
    )
    orders = Order.objects.filter(
        status=rule.status, status_changed_at__lte=now - timedelta(minutes=rule.minutes)
    ).exclude(Exists(marked))
    if rule.channel_id:
        orders = orders.filter(channel_id=rule.channel_id)
    if rule.category:
        orders = orders.filter(lines__sku__in=Product.objects.filter(category=rule.category).values("sku")).distinct()
    return orders.order_by("status_changed_at", "pk").values_list("pk", flat=True)[:PER_RULE]


def orders_timeout_check(*, now: datetime | None = None) -> int:
    """One run of the check (see the module's docstring); returns how many timeouts it announced."""
    now = now or timezone.now()
    announced = 0
    for rule in TimeoutRule.objects.filter(enabled=True).select_related("channel"):
        for order_id in list(_due(rule, now)):
            announced += _announce(order_id, rule, now)
    return announced


def _announce(order_id: int, rule: TimeoutRule, now: datetime) -> int:
    try:
        with transaction.atomic():
            order = order_lock(order_id)
            if order.status != rule.status or order.status_changed_at > now - timedelta(minutes=rule.minutes):
                return 0  # it moved on meanwhile
            OrderTimeout.objects.create(
                order=order, rule=rule, status=order.status, status_changed_at=order.status_changed_at
            )
            waited = int((now - order.status_changed_at).total_seconds() // 60)
            audit_record(
                subject_type="order",
                subject_id=order.pk,
                action="timed_out",
                actor=CHECK_ACTOR,
                changes={"rule": rule.name, "status": order.status, "minutes": rule.minutes, "waited": waited},
            )
            event_emit(
                name=names.ORDER_TIMEOUT,
                subject_type="order",
                subject_id=order.pk,
                payload={
                    "order": order_representation(order),
                    "rule": rule_representation(rule),
                    "waited_minutes": waited,
                },
                actor=CHECK_ACTOR,
            )
    except IntegrityError:  # announced meanwhile by another run
        return 0
    return 1
