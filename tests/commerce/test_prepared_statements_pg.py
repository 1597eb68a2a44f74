"""Prepared statements on PostgreSQL (``core.db.postgres``, ``commerce.db.prepared_cursor``):
only what a ``prepared_cursor`` runs is prepared, and the runtime's per-step statements settle on
a generic plan instead of being planned on every run."""

import pytest
from django.db import connection

from commerce.catalog.selectors import products_by_sku
from commerce.channels.selectors import channel_by_code
from commerce.db import prepared_cursor
from tests.factories import create_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared(fragment: str) -> list[tuple[str, int, int]]:
    """The statements prepared on this connection whose text contains ``fragment``: (text, generic plans, custom plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [fragment],
        )
        return cursor.fetchall()


def test_a_statement_run_through_a_prepared_cursor_is_prepared_once_and_reused():
    for value in range(3):
        with prepared_cursor() as cursor:
            cursor.execute("SELECT %s::integer + 40 AS prepared_probe", [value])
            assert cursor.fetchone() == (value + 40,)
    statements = prepared("prepared_probe")
    assert len(statements) == 1
    _text, generic, custom = statements[0]
    assert generic + custom == 3


def test_a_plain_cursor_prepares_nothing_however_often_it_runs_a_statement():
    for value in range(10):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::integer + 1 AS plain_probe", [value])
            assert cursor.fetchone() == (value + 1,)
    assert prepared("plain_probe") == []


def test_a_bulk_lookup_with_a_long_in_list_is_planned_per_run_not_prepared():
    # A generic plan made while the table was small would scan it for every chunk of a big import.
    products_by_sku([f"NO-SUCH-SKU-{n}" for n in range(300)])
    assert prepared("NO-SUCH-SKU") == []
    assert prepared('"sku" IN (') == [] and prepared("sku IN (") == []


def test_placing_an_order_uses_prepared_statements(channel, stocked):
    create_order(channel, external_id="PREP-1")
    assert prepared("reserved = reserved + $1")  # the conditional stock update
    assert channel_by_code(channel.code) == channel
    assert prepared("code = $1 AND active = $2")  # the channel an order names


def test_the_order_s_inserts_are_prepared_one_statement_per_number_of_rows(channel, stocked):
    create_order(channel, external_id="PREP-A", lines=(("TEA-001", 1),))
    create_order(channel, external_id="PREP-B", lines=(("TEA-001", 1),))
    create_order(channel, external_id="PREP-C", lines=(("TEA-001", 1), ("TEA-001", 2)))

    lines = prepared('INSERT INTO "orders_orderline"')
    assert sorted(text.count("), (") for text, _g, _c in lines) == [0, 1]  # one row, then two
    assert sum(generic + custom for _t, generic, custom in lines) == 3
    # The reservations, their ledger rows, the audit entry and the events: one statement.
    assert prepared('INSERT INTO "inventory_reservation"')
