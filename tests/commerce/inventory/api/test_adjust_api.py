"""``POST /api/v1/inventory/adjust/``: a delta on ``on_hand`` through the ledger; bad input changes nothing."""

import pytest
from django.apps import apps

from commerce.inventory.models import StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.outbox.models import OutboxEvent
from tests.factories import create_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/adjust/"


def _state() -> tuple:
    counts = {m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models()}
    levels = list(StockItem.objects.order_by("pk").values_list("sku", "on_hand", "reserved", "safety_stock"))
    return counts, levels, OutboxEvent.objects.count()


def _body(**overrides) -> dict:
    return {"sku": "TEA-001", "warehouse": "sh-main", "delta": -10, "reason": "count", **overrides}


def test_a_count_lowers_on_hand_with_an_adjustment(operator_client, shelf):
    response = operator_client.post(URL, _body(), format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["on_hand"], body["reserved"], body["available"]) == (90, 0, 90)
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity", "reason").last() == (
        "adjustment",
        -10,
        "count",
    )
    assert stock_ledger_differences() == []


def test_a_receipt_is_written_as_a_receipt(operator_client, shelf):
    response = operator_client.post(URL, _body(delta=12, kind="receipt", reason="PO-7"), format="json")

    assert response.status_code == 200
    assert response.json()["on_hand"] == 112
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity", "reason").last() == (
        "receipt",
        12,
        "PO-7",
    )


def test_the_reason_text_never_chooses_the_kind(operator_client, shelf):
    response = operator_client.post(URL, _body(delta=3, reason="receipt PO-8"), format="json")

    assert response.status_code == 200
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity", "reason").last() == (
        "adjustment",
        3,
        "receipt PO-8",
    )
    assert stock_ledger_differences() == []


def test_taking_on_hand_to_exactly_what_is_reserved_is_allowed(operator_client, channel, shelf):
    create_order(channel, lines=(("TEA-001", 30),))

    response = operator_client.post(URL, _body(delta=-70), format="json")

    assert response.status_code == 200
    assert (response.json()["on_hand"], response.json()["available"]) == (30, 0)


@pytest.mark.parametrize(
    ("overrides", "status", "code", "details"),
    [
        (
            {"delta": -101},
            400,
            "stock_below_zero",
            {"delta": -101, "on_hand": 100, "reserved": 30, "available": 70},
        ),
        (
            {"delta": -71},
            400,
            "stock_below_zero",
            {"delta": -71, "on_hand": 100, "reserved": 30, "available": 70},
        ),
        ({"sku": "GHOST"}, 400, "invalid", {"sku": "unknown SKU 'GHOST'"}),
        ({"sku": "GHOST", "delta": 5}, 400, "invalid", {"sku": "unknown SKU 'GHOST'"}),
        ({"warehouse": "nowhere"}, 404, "unknown_warehouse", {"warehouse": "nowhere"}),
        ({"warehouse": "nowhere", "delta": 5}, 404, "unknown_warehouse", {"warehouse": "nowhere"}),
        ({"delta": 0}, 400, "invalid", {"delta": "must not be zero"}),
        ({"delta": "-5.5"}, 400, "invalid", "delta"),
        ({"warehouse": "no such/place"}, 400, "invalid", "warehouse"),
        ({"kind": "receipt"}, 400, "invalid", {"delta": "a receipt adds stock; got -10 (use kind adjustment)"}),
        ({"kind": "reserve", "delta": 5}, 400, "invalid", "kind"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(
    operator_client, channel, shelf, overrides, status, code, details
):
    create_order(channel, lines=(("TEA-001", 30),))
    before = _state()

    response = operator_client.post(URL, _body(**overrides), format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    if isinstance(details, str):  # a serializer error, in the caller's language: only the field is fixed
        assert list(response.json()["details"]) == [details]
    else:
        assert response.json()["details"] == details
    assert _state() == before


def test_a_negative_adjustment_of_a_sku_never_stocked_there_creates_no_row(operator_client, shelf, second_warehouse):
    before = _state()

    response = operator_client.post(URL, _body(warehouse="bj-north", delta=-1), format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"delta": -1, "on_hand": 0, "reserved": 0, "available": 0}
    assert _state() == before
