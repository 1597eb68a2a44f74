"""``manage.py stock_audit``: replay the ledger, compare with every row, exit 1 on a difference."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.selectors import StockDifference, stock_ledger_differences
from commerce.orders import services as order_services
from tests.factories import TEST_ACTOR, StockItemFactory, create_order

pytestmark = pytest.mark.django_db


def _audit() -> str:
    out = StringIO()
    call_command("stock_audit", stdout=out)
    return out.getvalue()


def test_a_whole_ledger_reports_no_difference(channel, shelf):
    paid = create_order(channel, external_id="E-1", lines=(("TEA-001", 3),))
    order_services.order_transition(order_id=paid.pk, to="paid", actor=TEST_ACTOR)
    create_order(channel, external_id="E-2", lines=(("TEA-001", 2),))

    assert _audit() == "1 stock row(s) match the ledger and their reservations\n"
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (97, 2)


def test_a_row_changed_behind_the_ledger_is_reported_and_exits_1(channel, shelf):
    StockItem.objects.filter(pk=shelf.pk).update(on_hand=90)
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("stock_audit", stdout=out)

    assert raised.value.returncode == 1
    assert str(raised.value) == "1 difference(s) in 1 stock row(s)"
    assert out.getvalue() == (f"stock #{shelf.pk} TEA-001@sh-main: on_hand is 90, expected 100 (difference -10)\n")


def test_reserved_that_no_active_reservation_explains_is_reported(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 3),))
    Reservation.objects.filter(order=order).update(state="released")

    assert stock_ledger_differences() == [
        StockDifference(shelf.pk, "TEA-001", "sh-main", "reserved_vs_reservations", stored=3, expected=0)
    ]


def test_stock_put_on_hand_without_a_movement_is_reported(shelf, warehouse):
    loose = StockItemFactory(sku="TEA-002", warehouse=warehouse, on_hand=7, reserved=2)

    assert stock_ledger_differences() == [
        StockDifference(loose.pk, "TEA-002", "sh-main", "on_hand", stored=7, expected=0),
        StockDifference(loose.pk, "TEA-002", "sh-main", "reserved", stored=2, expected=0),
        StockDifference(loose.pk, "TEA-002", "sh-main", "reserved_vs_reservations", stored=2, expected=0),
    ]


def test_no_stock_rows_at_all_is_clean(db):
    assert _audit() == "0 stock row(s) match the ledger and their reservations\n"
