"""Prepared statements on PostgreSQL, from the database OPTIONS of ``orderflow/settings.py``:
Django binds parameters on the server (``server_side_binding``) and psycopg prepares a statement
once it has run ``prepare_threshold`` times on its connection — so the order's statements, run on
every order, are parsed once and then planned from a kept plan; a statement run once is not. A
bulk transaction plans each of its statements for its own values (``core.db.custom_plans``)."""

import io

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.catalog.selectors import products_by_sku
from commerce.inventory.imports import stock_import
from core.db import custom_plans
from tests.factories import TEST_ACTOR, create_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

THRESHOLD = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")


def prepared(fragment: str) -> list[tuple[str, int, int]]:
    """The statements prepared on this connection whose text contains ``fragment``: (text, generic plans, custom plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [fragment],
        )
        return cursor.fetchall()


def test_the_project_binds_on_the_server_and_prepares_after_a_few_runs():
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    assert THRESHOLD == 5


def test_the_order_s_statements_are_prepared_once_orders_keep_coming(channel, stocked):
    for n in range(THRESHOLD + 1):
        create_order(channel, external_id=f"PREP-{n}")

    [(_text, generic, custom)] = prepared('INSERT INTO "orders_order"')
    assert generic + custom >= 1
    assert prepared("reserved = reserved + $1")  # the conditional stock update
    assert prepared('INSERT INTO "inventory_reservation"')


def test_a_statement_run_fewer_times_than_the_threshold_is_not_prepared():
    for _ in range(THRESHOLD - 1):
        products_by_sku([f"NO-SUCH-SKU-{n}" for n in range(300)])

    assert prepared("NO-SUCH-SKU") == [] and prepared('"sku" IN (') == []


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_a_statement_run_on_every_order_keeps_one_plan(channel, stocked):
    """PostgreSQL's own rule (``auto``): after five runs planned for their values, a plan that does
    not depend on them is kept — the order's insert is no longer planned on every order."""
    assert _plan_cache_mode() == "auto"

    for n in range(THRESHOLD + 6):
        create_order(channel, external_id=f"PLAN-{n}")

    [(_text, generic, _custom)] = prepared('INSERT INTO "orders_order"')
    assert generic >= 1


@pytest.mark.django_db(transaction=True)
def test_custom_plans_hold_until_the_transaction_ends():
    with transaction.atomic():
        custom_plans()
        assert _plan_cache_mode() == "force_custom_plan"
    assert _plan_cache_mode() == "auto"


@pytest.mark.django_db(transaction=True)
def test_custom_plans_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError, match="open one first"):
        custom_plans()
    assert _plan_cache_mode() == "auto"


def test_the_stock_import_plans_each_read_for_the_rows_it_created(product, warehouse):
    """It creates the file's missing stock rows and reads them back in the same transaction, where
    the statistics still describe the table as it was (``core.db``)."""
    file = io.BytesIO(b"sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,120,5\n")
    with CaptureQueriesContext(connection) as queries:
        stock_import(file=file, actor=TEST_ACTOR, reason="plans")

    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert statements[0] == "SET LOCAL plan_cache_mode = force_custom_plan"
