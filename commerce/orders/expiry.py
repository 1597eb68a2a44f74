"""Unpaid orders: the payment-timeout sweep, and payments that arrive for an order or after its timeout.

An unpaid order holds its stock for its channel's ``payment_timeout_minutes`` (15 by default;
``Reservation.expires_at``). ``orders_expire_unpaid`` runs every minute (``orderflow.schedules.services``)
and cancels each order whose reservation has lapsed with reason ``payment_timeout``, which
expires its reservations (``inventory.reservation_expired``) and emits ``order.cancelled``.

``order_payment_record`` is how a payment reaches an order. A payment for an order the sweep has
already cancelled must never be lost and must never oversell: the order is reserved again and
reopened as paid when stock allows (``order_reopen_paid_after_expiry`` — the one sanctioned way
out of ``cancelled``), and otherwise held for review with a reason that says what to do.

Lock order is the domain's: the order row, then stock rows by id (``commerce.inventory.lock_objects``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.audit.services import audit_record
from commerce.inventory import services as inventory
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import Reservation
from commerce.outbox import names
from commerce.outbox.services import event_emit
from core.actors import Actor
from core.time import iso_utc

from . import statuses
from .errors import InvalidTransition
from .lock_objects import order_lock
from .models import Order
from .representation import order_representation
from .services import PAID_SHORT_STOCK, order_hold, order_transition

logger = logging.getLogger(__name__)

SUBJECT = "order"

# The cancel reason the sweep writes; ``order_transition`` expires (not releases) stock for it.
PAYMENT_TIMEOUT = "payment_timeout"

# Audit actions written here.
REOPENED = "reopened"
PAYMENT_RECEIVED = "payment_received"

# Why an order left ``cancelled`` (audit ``changes["why"]`` of a ``reopened`` entry).
PAID_AFTER_EXPIRY = "paid_after_expiry"

LATE_PAYMENT_SHORT_STOCK = "paid after its reservation expired; stock is short — refund or restock"

# The outcomes of ``order_payment_record``.
PAID = "paid"
REOPENED_PAID = "reopened"
HELD = "held"
IGNORED = "ignored"

SWEEP_ACTOR = Actor.system("payment timeout sweep", source="schedule")

DEFAULT_SWEEP_LIMIT = 500


def _emit(order: Order, name: str, actor: Actor, snapshot: dict | None = None, **extra) -> None:
    body = {"order": snapshot if snapshot is not None else order_representation(order)}
    body.update(extra)
    event_emit(name=name, subject_type=SUBJECT, subject_id=order.pk, payload=body, actor=actor)


def _next_expired_order_locked(*, now: datetime, passed_over: set[int]) -> Order | None:
    """The oldest unpaid order with a lapsed active reservation, locked; ``None`` when there is none.

    ``SKIP LOCKED`` on PostgreSQL: an order another worker (or a payment) holds right now is passed
    by, so two sweeps running at once split the work instead of queueing on the same row. SQLite
    has one writer at a time and ignores the clause.
    """
    lapsed = Reservation.objects.filter(state=Reservation.ACTIVE, expires_at__lte=now).values("order_id")
    return (
        Order.objects.filter(status=statuses.PENDING_PAYMENT, pk__in=lapsed)
        .exclude(pk__in=passed_over)
        .order_by("created_at", "id")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )


def orders_expire_unpaid(*, now: datetime | None = None, limit: int = DEFAULT_SWEEP_LIMIT) -> int:
    """Cancels up to ``limit`` unpaid orders whose reservation lapsed by ``now``, oldest first; returns how many.

    Each order is its own transaction: found and locked (``SKIP LOCKED``), checked to be still
    ``pending_payment`` under the lock, then moved to ``cancelled`` with reason ``payment_timeout``
    by ``order_transition`` — which expires its reservations (``inventory.reservation_expired``),
    audits the move and emits ``order.cancelled``. A payment that won the row first leaves the
    order paid and the sweep finds nothing to do; one that comes later goes through
    ``order_payment_record``. Idempotent: running it again finds no lapsed unpaid order.

    An order whose cancellation fails is logged and passed over for the rest of this run, so one
    bad order cannot stop the sweep.
    """
    now = now or timezone.now()
    expired = 0
    passed_over: set[int] = set()
    while expired + len(passed_over) < limit:
        order_id = None
        try:
            with transaction.atomic():
                order = _next_expired_order_locked(now=now, passed_over=passed_over)
                if order is None:
                    break
                order_id = order.pk
                result = order_transition(
                    order_id=order.pk,
                    to=statuses.CANCELLED,
                    actor=SWEEP_ACTOR,
                    reason=PAYMENT_TIMEOUT,
                    reservations_lapsed=True,
                )
        except Exception:
            if order_id is None:
                raise
            logger.exception("payment timeout sweep could not cancel order %s", order_id)
            passed_over.add(order_id)
            continue
        if result.outcome == "applied":
            expired += 1
        else:
            passed_over.add(order_id)
    return expired


def order_reopen_paid_after_expiry(*, order_id: int, actor: Actor) -> Order:
    """Moves an order the payment-timeout sweep cancelled to ``paid``, with its stock reserved again and committed.

    The one sanctioned way out of ``cancelled``: only for an order cancelled with reason
    ``payment_timeout`` whose payment arrived late (anything else raises ``InvalidTransition``).
    ``statuses.ALLOWED`` is deliberately not widened — no other caller may move an order back.

    Under the order's row lock it reserves every line again (``stock_reserve_for_order``, any
    warehouse the channel allows), commits the reservations, sets ``paid_at``, clears
    ``cancel_reason``, audits action ``reopened`` with ``why: paid_after_expiry`` and emits
    ``order.status_changed`` and ``order.paid``. Short stock raises ``InsufficientStock`` and
    changes nothing — run it inside a savepoint if the caller's transaction must go on.
    """
    with transaction.atomic():
        order = order_lock(order_id)
        if order.status != statuses.CANCELLED or order.cancel_reason != PAYMENT_TIMEOUT:
            raise InvalidTransition(
                details={
                    "from": order.status,
                    "to": statuses.PAID,
                    "cancel_reason": order.cancel_reason,
                    "why": "only an order cancelled for payment_timeout reopens when its payment arrives",
                }
            )
        lines = list(order.lines.order_by("position"))
        inventory.stock_reserve_for_order(
            order=order,
            demands=[inventory.LineDemand(ln.pk, ln.position, ln.sku, ln.quantity) for ln in lines],
            channel=order.channel,
            actor=actor,
            expires_at=None,
        )
        inventory.reservations_commit(order_id=order.pk, actor=actor)
        now = timezone.now()
        order.status = statuses.PAID
        order.status_changed_at = now
        order.paid_at = now
        order.cancel_reason = ""
        order.save(update_fields=["status", "status_changed_at", "paid_at", "cancel_reason", "updated_at"])
        audit_record(
            subject_type=SUBJECT,
            subject_id=order.pk,
            action=REOPENED,
            actor=actor,
            changes={
                "status": [statuses.CANCELLED, statuses.PAID],
                "why": PAID_AFTER_EXPIRY,
                "cancel_reason": PAYMENT_TIMEOUT,
            },
        )
        snapshot = order_representation(order, lines=lines)
        _emit(
            order,
            names.ORDER_STATUS_CHANGED,
            actor,
            snapshot,
            **{"from": statuses.CANCELLED, "to": statuses.PAID, "reason": PAID_AFTER_EXPIRY},
        )
        _emit(order, names.ORDER_PAID, actor, snapshot)
    return order


@dataclass(frozen=True)
class PaymentOutcome:
    order: Order
    outcome: str  # PAID, REOPENED_PAID, HELD or IGNORED


def _payment_already_recorded(order: Order) -> bool:
    return (
        order.paid_at is not None
        or AuditEntry.objects.filter(subject_type=SUBJECT, subject_id=str(order.pk), action=PAYMENT_RECEIVED).exists()
    )


def order_payment_record(*, order_id: int, actor: Actor, paid_at: datetime | None = None) -> PaymentOutcome:
    """A payment for the order arrived (``paid_at``: when the payer paid; now if not given).

    Under the order's row lock, in one transaction:

    - ``pending_payment`` → ``paid`` through ``order_transition`` (which commits the reserved
      stock); outcome ``paid`` — or ``held`` when its stock had been released and is short now
      (the transition holds it with ``PAID_SHORT_STOCK``);
    - cancelled by the sweep (``payment_timeout``) → reserved again and reopened as ``paid`` when
      stock allows (``order_reopen_paid_after_expiry``, in a savepoint), outcome ``reopened``;
      otherwise it stays cancelled and is held with ``LATE_PAYMENT_SHORT_STOCK``, outcome ``held``;
    - cancelled for another reason, or closed, before any payment → held for a refund, ``held``;
    - already paid, or a late payment already recorded (a repeated notification) → nothing
      changes but an ``ignored`` audit entry, outcome ``ignored``; no event.

    An order already on hold keeps its earlier hold reason (``order_hold`` changes nothing then);
    the ``payment_received`` audit entry still says what happened.

    Every outcome but ``ignored`` audits ``payment_received`` and emits ``payment.received``
    (``payment.paid_at`` and ``payment.outcome`` beside the order). Stock is never oversold: a
    late payment takes stock only through the conditional reservation.
    """
    paid_at = paid_at or timezone.now()
    with transaction.atomic():
        order = order_lock(order_id)
        changes: dict = {"paid_at": iso_utc(paid_at)}
        late = order.status != statuses.PENDING_PAYMENT and not _payment_already_recorded(order)
        if order.status == statuses.PENDING_PAYMENT:
            moved = order_transition(order_id=order.pk, to=statuses.PAID, actor=actor, reason="payment received")
            # Paid, but its stock had been released and is short now: the transition held it.
            short = moved.order.on_hold and moved.order.hold_reason == PAID_SHORT_STOCK
            outcome = HELD if short else PAID
        elif late and order.status == statuses.CANCELLED and order.cancel_reason == PAYMENT_TIMEOUT:
            try:
                order_reopen_paid_after_expiry(order_id=order.pk, actor=actor)
                outcome = REOPENED_PAID
            except InsufficientStock as short:
                order_hold(order_id=order.pk, reason=LATE_PAYMENT_SHORT_STOCK, actor=actor)
                changes["shortage"] = short.details
                outcome = HELD
        elif late and order.status in (statuses.CANCELLED, statuses.CLOSED):
            reason = f"paid after it was {order.status}"
            if order.cancel_reason:
                reason += f" ({order.cancel_reason})"
            order_hold(order_id=order.pk, reason=f"{reason} — refund", actor=actor)
            outcome = HELD
        else:
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=AuditEntry.IGNORED,
                actor=actor,
                changes={"why": "payment_already_recorded", "current": order.status, **changes},
            )
            return PaymentOutcome(order, IGNORED)

        order.refresh_from_db()
        changes["outcome"] = outcome
        audit_record(subject_type=SUBJECT, subject_id=order.pk, action=PAYMENT_RECEIVED, actor=actor, changes=changes)
        _emit(order, names.PAYMENT_RECEIVED, actor, payment={"paid_at": iso_utc(paid_at), "outcome": outcome})
    return PaymentOutcome(order, outcome)
