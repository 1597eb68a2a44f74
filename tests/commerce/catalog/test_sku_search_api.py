"""``GET /api/v1/skus/?q=``: the SKU search of the order form, with the stock free to sell."""

import pytest

from commerce.catalog.models import Product
from tests.conftest import client_for
from tests.factories import ProductFactory, StockItemFactory, WarehouseFactory, create_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/skus/"


@pytest.fixture
def shelves(channel):
    main = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
    north = WarehouseFactory(code="bj", name="北京仓", priority=2)
    closed = WarehouseFactory(code="old", name="旧仓", priority=3, active=False)
    ProductFactory(sku="TEA-001", title="西湖龙井 250g", price="199.00")
    ProductFactory(sku="TEA-002", title="安吉白茶", price="268.00")
    ProductFactory(sku="CUP-001", title="青瓷茶杯", price="159.00")
    ProductFactory(sku="OLD-TEA", title="旧款", price="9.00", active=False)
    StockItemFactory(sku="TEA-001", warehouse=main, on_hand=10)
    StockItemFactory(sku="TEA-001", warehouse=north, on_hand=5)
    StockItemFactory(sku="TEA-001", warehouse=closed, on_hand=99)
    create_order(channel, external_id="S-1", lines=(("TEA-001", 3),))  # reserves 3 in the main warehouse


@pytest.mark.parametrize("role", ["operator", "supervisor", "finance", "admin", "manager"])
def test_a_search_answers_matching_active_products_with_their_available_stock(shelves, role):
    response = client_for(role).get(URL, {"q": "tea"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "sku": "TEA-001",
            "title": "西湖龙井 250g",
            "price": "199.00",
            "available": 12,
            "stock": [
                {"warehouse": "sh-main", "warehouse_name": "上海主仓", "available": 7},
                {"warehouse": "bj", "warehouse_name": "北京仓", "available": 5},
            ],
        },
        {"sku": "TEA-002", "title": "安吉白茶", "price": "268.00", "available": 0, "stock": []},
    ]


def test_a_title_matches_too_and_skus_starting_with_the_term_come_first(shelves):
    Product.objects.create(sku="GIFT-CUP", title="赠品杯", price="0.00")

    by_title = client_for("operator").get(URL, {"q": "白茶"}).json()["results"]
    by_prefix = client_for("operator").get(URL, {"q": "cup"}).json()["results"]

    assert [r["sku"] for r in by_title] == ["TEA-002"]
    assert [r["sku"] for r in by_prefix] == ["CUP-001", "GIFT-CUP"]


def test_without_a_term_it_lists_active_products_up_to_the_limit(shelves):
    results = client_for("operator").get(URL, {"limit": 2}).json()["results"]

    assert [r["sku"] for r in results] == ["CUP-001", "TEA-001"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": 0}, "limit"), ({"limit": 51}, "limit"), ({"limit": "x"}, "limit"), ({"q": "x" * 65}, "q")],
)
def test_bad_parameters_answer_400_naming_the_field(shelves, query, field):
    response = client_for("operator").get(URL, query)

    assert response.status_code == 400
    assert field in response.json()["details"]


def test_anonymous_callers_get_401(shelves):
    assert client_for(None).get(URL).status_code == 401
