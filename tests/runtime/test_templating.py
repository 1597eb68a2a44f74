"""Rendering templated params: paths, filters, and a missing path as an error (not an empty string)."""

import pytest

from runtime.errors import TerminalFailure
from runtime.templating import render, render_params

CONTEXT = {
    "order": {
        "number": "OF1",
        "total_amount": "1234.5",
        "paid_at": "2026-11-22T03:30:00Z",
        "customer": {"name": "张伟", "nickname": None},
        "tags": ["vip", "fresh"],
        "lines": [{"sku": "TEA-001", "quantity": 2}],
        "on_hold": False,
    },
    "steps": {"gift": {"order_id": 7}},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Order {{ order.number }} for {{order.customer.name}}", "Order OF1 for 张伟"),
        ("{{ order.lines.0.sku }} x{{ order.lines.0.quantity }}", "TEA-001 x2"),
        ("{{ order.customer.nickname }}", ""),
        ("{{ order.customer.nickname | default('friend') | upper }}", "FRIEND"),
        ("{{ order.nickname | default('friend') }}", "friend"),
        ("{{ order.number | lower }}", "of1"),
        ("{{ order.total_amount | money('¥') }}", "¥1,234.50"),
        ("{{ order.total_amount | money }}", "1,234.50"),
        ("{{ order.paid_at | date }}", "2026-11-22 11:30"),
        ("{{ order.paid_at | date('%m/%d') }}", "11/22"),
        ("{{ order.tags }}", '["vip","fresh"]'),
        ("{{ order.on_hold }}", "false"),
        ("{{ steps.gift.order_id }}", "7"),
        ("no placeholders }}", "no placeholders }}"),
    ],
)
def test_render(template, expected):
    assert render(template, CONTEXT) == expected


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("{{ order.nickname }}", "order.nickname"),
        ("{{ order.lines.3.sku }}", "order.lines.3.sku"),
        ("{{ order.number.first }}", "order.number.first"),
        ("{{ steps.hold.reason | upper }}", "steps.hold.reason"),
    ],
)
def test_a_missing_path_is_an_error_not_an_empty_string(template, path):
    with pytest.raises(TerminalFailure) as failure:
        render(template, CONTEXT)

    assert (failure.value.code, failure.value.message, failure.value.details) == (
        "missing_path",
        f"{path} is not in the context",
        {"path": path},
    )


def test_money_of_text_that_is_no_number_fails_the_step():
    with pytest.raises(TerminalFailure) as failure:
        render("{{ order.number | money }}", CONTEXT)

    assert (failure.value.code, failure.value.message) == ("bad_filter_input", "money: 'OF1' is not a number")


def test_params_are_rendered_recursively_and_other_values_kept():
    params = {"title": "Order {{ order.number }}", "due_in_minutes": 30, "body": {"lines": ["{{ order.lines.0.sku }}"]}}

    assert render_params(params, CONTEXT) == {
        "title": "Order OF1",
        "due_in_minutes": 30,
        "body": {"lines": ["TEA-001"]},
    }
