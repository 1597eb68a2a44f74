"""``GET /api/v1/inventory/`` with its filters, and ``GET /api/v1/inventory/{id}/movements/``."""

import pytest

from commerce.inventory.models import StockItem
from tests.factories import create_order

from ..conftest import receive

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/"


@pytest.fixture
def rows(shelf, second_warehouse, second_product):
    receive("TEA-001", "bj-north", 3)
    receive("CUP-002", "sh-main", 20)
    StockItem.objects.filter(sku="TEA-001", warehouse__code="bj-north").update(safety_stock=5)


def _listed(client, **params) -> list[tuple]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    return [(r["sku"], r["warehouse"], r["available"], r["low_stock"]) for r in response.json()["results"]]


def test_every_row_without_filters(operator_client, rows):
    assert _listed(operator_client) == [
        ("TEA-001", "sh-main", 100, False),
        ("TEA-001", "bj-north", 3, True),
        ("CUP-002", "sh-main", 20, False),
    ]


def test_filters_by_sku_warehouse_and_low_stock(operator_client, rows):
    assert _listed(operator_client, sku="TEA-001", warehouse="bj-north") == [("TEA-001", "bj-north", 3, True)]
    assert _listed(operator_client, warehouse="sh-main") == [
        ("TEA-001", "sh-main", 100, False),
        ("CUP-002", "sh-main", 20, False),
    ]
    assert _listed(operator_client, low_stock="true") == [("TEA-001", "bj-north", 3, True)]
    assert _listed(operator_client, low_stock="false") == [
        ("TEA-001", "sh-main", 100, False),
        ("CUP-002", "sh-main", 20, False),
    ]


def test_a_bad_filter_names_the_field(operator_client, rows):
    response = operator_client.get(URL, {"low_stock": "sometimes"})

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["low_stock"]


def test_movements_of_a_row_oldest_first(operator_client, channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 2),))

    response = operator_client.get(f"/api/v1/inventory/{shelf.pk}/movements/")

    assert response.status_code == 200
    assert [(m["kind"], m["quantity"], m["order"]) for m in response.json()["results"]] == [
        ("receipt", 100, None),
        ("reserve", 2, order.number),
    ]


def test_a_movement_names_its_order_by_number_and_id(operator_client, channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 2),))

    movements = operator_client.get(f"/api/v1/inventory/{shelf.pk}/movements/").json()["results"]

    assert [(m["order"], m["order_id"]) for m in movements] == [(None, None), (order.number, order.pk)]
