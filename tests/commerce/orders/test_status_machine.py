"""The order status machine through ``order_transition``: allowed, forbidden, stale and duplicate moves."""

from collections import deque

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.orders import services, statuses
from commerce.orders.errors import InvalidTransition
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

ALLOWED_PAIRS = [(src, dst) for src, targets in statuses.ALLOWED.items() for dst in sorted(targets)]
FORBIDDEN_PAIRS = [
    (src, dst)
    for src in statuses.STATUSES
    for dst in statuses.STATUSES
    if statuses.RANK[dst] > statuses.RANK[src] and dst not in statuses.ALLOWED[src]
]
STALE_PAIRS = [
    (src, dst) for src in statuses.STATUSES for dst in statuses.STATUSES if statuses.RANK[dst] <= statuses.RANK[src]
]


def _path(current: str, target: str) -> list[str]:
    """A shortest chain of allowed moves (``statuses.ALLOWED``) from ``current`` to ``target``."""
    queue = deque([(current, [])])
    seen = {current}
    while queue:
        status, path = queue.popleft()
        if status == target:
            return path
        for nxt in sorted(statuses.ALLOWED[status]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, nxt]))
    raise AssertionError(f"no allowed path from {current} to {target}")


def _order_in(channel, status: str, external_id: str = "E-1") -> Order:
    """An order walked to ``status`` along allowed moves, then the outbox and audit counts noted."""
    order = create_order(channel, external_id=external_id)
    for hop in _path(order.status, status):
        services.order_transition(order_id=order.pk, to=hop, actor=TEST_ACTOR)
    order.refresh_from_db()
    assert order.status == status
    return order


def test_the_machine_covers_every_pair():
    total = len(statuses.STATUSES) ** 2
    assert len(ALLOWED_PAIRS) + len(FORBIDDEN_PAIRS) + len(STALE_PAIRS) == total
    assert len(ALLOWED_PAIRS) == 14


@pytest.mark.parametrize(("src", "dst"), ALLOWED_PAIRS)
def test_every_allowed_transition_applies_audits_and_emits(channel, stocked, src, dst):
    order = _order_in(channel, src)
    events_before = OutboxEvent.objects.count()

    result = services.order_transition(order_id=order.pk, to=dst, actor=TEST_ACTOR, reason="because")

    order.refresh_from_db()
    assert (result.outcome, result.from_status, result.to_status) == ("applied", src, dst)
    assert order.status == dst
    last = AuditEntry.objects.filter(subject_id=str(order.pk)).last()
    assert (last.action, last.changes) == ("transitioned", {"status": [src, dst], "reason": "because"})
    emitted = list(OutboxEvent.objects.order_by("id").values_list("name", flat=True)[events_before:])
    expected = ["order.status_changed"]
    if dst == "paid":
        expected.append("order.paid")
    if dst == "cancelled":
        expected.append("order.cancelled")
    assert emitted == expected


@pytest.mark.parametrize(("src", "dst"), FORBIDDEN_PAIRS)
def test_every_forbidden_transition_is_refused_and_changes_nothing(channel, stocked, src, dst):
    order = _order_in(channel, src)
    audit_before, events_before = AuditEntry.objects.count(), OutboxEvent.objects.count()
    stock_before = StockItem.objects.values_list("on_hand", "reserved").get()

    with pytest.raises(InvalidTransition) as raised:
        services.order_transition(order_id=order.pk, to=dst, actor=TEST_ACTOR)

    assert raised.value.http_status == 409
    assert raised.value.details["from"] == src and raised.value.details["to"] == dst
    order.refresh_from_db()
    assert order.status == src
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == (audit_before, events_before)
    assert StockItem.objects.values_list("on_hand", "reserved").get() == stock_before


@pytest.mark.parametrize(("src", "dst"), STALE_PAIRS)
def test_every_stale_transition_is_ignored_and_audited(channel, stocked, src, dst):
    order = _order_in(channel, src)
    events_before = OutboxEvent.objects.count()

    result = services.order_transition(order_id=order.pk, to=dst, actor=TEST_ACTOR, reason="late webhook")

    order.refresh_from_db()
    assert result.outcome == "ignored"
    assert order.status == src
    last = AuditEntry.objects.filter(subject_id=str(order.pk)).last()
    assert last.action == "ignored"
    assert last.changes == {
        "requested": dst,
        "current": src,
        "why": "duplicate" if src == dst else "out_of_order",
        "reason": "late webhook",
    }
    assert last.source == "tests"
    assert OutboxEvent.objects.count() == events_before


def test_late_paid_after_shipped_is_ignored(channel, stocked):
    order = _order_in(channel, "shipped")

    result = services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)

    assert result.outcome == "ignored"
    order.refresh_from_db()
    assert order.status == "shipped"


def test_idempotency_key_repeats_are_duplicates_and_write_nothing(channel, stocked):
    order = create_order(channel)
    first = services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR, idempotency_key="pay-1")
    audit_count, event_count = AuditEntry.objects.count(), OutboxEvent.objects.count()

    again = services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR, idempotency_key="pay-1")

    assert (first.outcome, again.outcome) == ("applied", "duplicate")
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == (audit_count, event_count)


def test_payment_commits_and_cancel_releases_stock(channel, stocked):
    paid = create_order(channel, external_id="P", lines=(("TEA-001", 4),))
    cancelled = create_order(channel, external_id="C", lines=(("TEA-001", 6),))

    services.order_transition(order_id=paid.pk, to="paid", actor=TEST_ACTOR)
    services.order_transition(order_id=cancelled.pk, to="cancelled", actor=TEST_ACTOR, reason="buyer changed mind")

    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (96, 0)
    cancelled.refresh_from_db()
    assert cancelled.cancel_reason == "buyer changed mind"


def test_cancelling_a_paid_order_returns_committed_stock(channel, stocked):
    order = create_order(channel, status="paid", lines=(("TEA-001", 5),))

    services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR)

    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (100, 0)


def test_closing_a_completed_order_keeps_stock_out(channel, stocked):
    order = _order_in(channel, "completed")
    stocked.refresh_from_db()
    before = (stocked.on_hand, stocked.reserved)

    services.order_transition(order_id=order.pk, to="closed", actor=TEST_ACTOR)

    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == before == (99, 0)


def test_unknown_status_is_invalid_input(channel, stocked):
    from core.errors import InvalidInput

    order = create_order(channel)
    with pytest.raises(InvalidInput) as raised:
        services.order_transition(order_id=order.pk, to="teleported", actor=TEST_ACTOR)
    assert "to" in raised.value.details


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(channel, stocked):
    """``order_transition`` opens no savepoint inside a caller's transaction: its refusal is raised
    having written nothing, and the caller goes on in the same transaction."""
    order = _order_in(channel, "pending_payment")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with pytest.raises(InvalidTransition):
            services.order_transition(order_id=order.pk, to="shipped", actor=TEST_ACTOR)
        moved = services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)

    assert moved.outcome == "applied"
    assert Order.objects.get(pk=order.pk).status == "paid"
    # One savepoint: the outermost block's own (the test runs inside a transaction); in production
    # that block is the transaction, and nothing inside it opens another.
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]) == 1
