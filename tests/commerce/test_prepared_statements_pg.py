"""Prepared statements on PostgreSQL, from the database OPTIONS of ``orderflow/settings.py``:
Django binds parameters on the server (``server_side_binding``) and psycopg prepares a statement
once it has run ``prepare_threshold`` times on its connection — so the order's statements, run on
every order, are parsed once and then planned from a kept plan; a statement run once is not."""

import pytest
from django.conf import settings
from django.db import connection

from commerce.catalog.selectors import products_by_sku
from tests.factories import create_order

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


def test_every_run_of_a_prepared_statement_is_planned_for_its_own_values():
    """A generic plan made while a table was small would keep scanning it once it is large."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_custom_plan",)
