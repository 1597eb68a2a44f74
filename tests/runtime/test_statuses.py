"""Statuses written into hand-written statements as literals (``statuses.sql_literals``)."""

import pytest

from runtime import statuses


def test_statuses_become_quoted_literals_in_the_order_given():
    assert statuses.sql_literals(*statuses.BLOCKING) == "'pending', 'running', 'retrying'"


@pytest.mark.parametrize("value", ["pending'; DROP TABLE runtime_execution; --", "PENDING", "", "finished"])
def test_anything_but_a_status_is_refused(value):
    with pytest.raises(ValueError, match="not a status"):
        statuses.sql_literals(statuses.PENDING, value)
