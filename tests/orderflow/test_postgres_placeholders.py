"""Django's ``%s`` placeholders as PostgreSQL's own, for the statements Orderflow prepares (``core.db.postgres``)."""

import pytest

from core.db.postgres import native_placeholders


def test_placeholders_are_numbered_in_order_and_a_doubled_percent_is_a_percent():
    sql = "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d IN (%s, %s)"
    assert native_placeholders(sql) == "SELECT a FROM t WHERE b = $1 AND c LIKE 'x%' AND d IN ($2, $3)"


def test_a_statement_without_placeholders_is_unchanged():
    assert native_placeholders("SELECT 1") == "SELECT 1"


@pytest.mark.parametrize("sql", ["SELECT %(name)s", "SELECT %d", "SELECT 1 %", "SELECT %b"])
def test_any_other_placeholder_is_refused(sql):
    with pytest.raises(ValueError, match="takes %s placeholders only"):
        native_placeholders(sql)
