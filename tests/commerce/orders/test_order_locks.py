"""An order's row lock, taken once for several changes in one transaction (``order_changes_locked_once``).

A flow run that tags an order and writes a note on it makes both changes in one transaction;
the second change needs the lock the first took, and it holds until that transaction ends.
"""

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.orders.services import order_changes_locked_once, order_note, order_tag, order_untag
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def _locks(queries) -> int:
    """The order row locks (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers and reads the row)."""
    return sum(q["sql"].startswith('SELECT "orders_order"."id" AS "pk"') for q in queries.captured_queries)


def test_in_one_block_each_orders_row_is_locked_once(channel, stocked):
    order, other = create_order(channel, external_id="LK-1"), create_order(channel, external_id="LK-2")

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), order_changes_locked_once():
        order_tag(order_id=order.pk, tag="vip", actor=TEST_ACTOR)
        order_note(order_id=order.pk, text="checked", actor=TEST_ACTOR)
        order_untag(order_id=order.pk, tag="vip", actor=TEST_ACTOR)
        order_note(order_id=other.pk, text="checked too", actor=TEST_ACTOR)

    assert _locks(queries) == 2
    trail = AuditEntry.objects.filter(subject_type="order").exclude(action="created")
    assert list(trail.filter(subject_id=str(order.pk)).values_list("action", flat=True).order_by("id")) == [
        "tagged",
        "noted",
        "untagged",
    ]
    assert trail.filter(subject_id=str(other.pk), action="noted").count() == 1


def test_outside_a_block_every_change_locks_again(channel, stocked):
    order = create_order(channel, external_id="LK-3")

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        order_tag(order_id=order.pk, tag="vip", actor=TEST_ACTOR)
        order_note(order_id=order.pk, text="checked", actor=TEST_ACTOR)
        with order_changes_locked_once():
            order_note(order_id=order.pk, text="in a block: locked again, once", actor=TEST_ACTOR)
            order_note(order_id=order.pk, text="and not again", actor=TEST_ACTOR)
        order_note(order_id=order.pk, text="after the block", actor=TEST_ACTOR)

    assert _locks(queries) == 4


def test_a_missing_order_is_still_an_error_inside_a_block():
    with pytest.raises(Order.DoesNotExist), transaction.atomic(), order_changes_locked_once():
        order_note(order_id=987654, text="nobody", actor=TEST_ACTOR)


@pytest.mark.django_db(transaction=True)
def test_a_block_needs_a_transaction_around_it():
    # Each change would be a transaction of its own: the second would find no lock left to keep.
    with pytest.raises(RuntimeError, match="needs a transaction"), order_changes_locked_once():
        pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_a_block_keeps_is_held_until_its_transaction_ends(channel, stocked):
    order = create_order(channel, external_id="LK-4")
    params = connection.settings_dict
    dsn = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"

    def locked_elsewhere() -> bool:
        with psycopg.connect(dsn, autocommit=True) as other:
            try:
                other.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE NOWAIT", [order.pk])
            except psycopg.errors.LockNotAvailable:
                return True
        return False

    with transaction.atomic(), order_changes_locked_once():
        order_tag(order_id=order.pk, tag="vip", actor=TEST_ACTOR)
        order_note(order_id=order.pk, text="checked", actor=TEST_ACTOR)
        assert locked_elsewhere()

    assert not locked_elsewhere()
