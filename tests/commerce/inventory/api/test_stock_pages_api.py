"""What the stock page reads: stock rows with names and a search, and the warehouses to pick from."""

import pytest

from tests.conftest import client_for
from tests.factories import ProductFactory, StockItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    main = WarehouseFactory(code="sh-main", name="上海主仓", priority=1, region="华东")
    north = WarehouseFactory(code="bj", name="北京仓", priority=2)
    WarehouseFactory(code="old", name="旧仓", priority=0, active=False)
    ProductFactory(sku="TEA-001", title="西湖龙井 250g")
    ProductFactory(sku="CUP-001", title="青瓷茶杯")
    return [
        StockItemFactory(sku="TEA-001", warehouse=main, on_hand=10, safety_stock=2),
        StockItemFactory(sku="CUP-001", warehouse=north, on_hand=3, safety_stock=5),
        StockItemFactory(sku="NO-PRODUCT", warehouse=main, on_hand=1),
    ]


def test_stock_rows_carry_the_product_title_and_warehouse_name(rows):
    results = client_for("manager").get("/api/v1/inventory/").json()["results"]

    assert [(r["sku"], r["title"], r["warehouse"], r["warehouse_name"], r["low_stock"]) for r in results] == [
        ("TEA-001", "西湖龙井 250g", "sh-main", "上海主仓", False),
        ("CUP-001", "青瓷茶杯", "bj", "北京仓", True),
        ("NO-PRODUCT", None, "sh-main", "上海主仓", False),
    ]


@pytest.mark.parametrize(("q", "skus"), [("tea", ["TEA-001"]), ("茶杯", ["CUP-001"]), ("001", ["TEA-001", "CUP-001"])])
def test_q_searches_the_sku_and_the_title(rows, q, skus):
    results = client_for("operator").get("/api/v1/inventory/", {"q": q}).json()["results"]

    assert [r["sku"] for r in results] == skus


def test_q_combines_with_the_other_filters(rows):
    results = client_for("operator").get("/api/v1/inventory/", {"q": "001", "low_stock": "true"}).json()["results"]

    assert [r["sku"] for r in results] == ["CUP-001"]


def test_a_too_long_search_answers_400(rows):
    response = client_for("operator").get("/api/v1/inventory/", {"q": "x" * 65})

    assert response.status_code == 400
    assert "q" in response.json()["details"]


@pytest.mark.parametrize("role", ["operator", "supervisor", "finance", "admin", "manager"])
def test_the_active_warehouses_are_listed_in_serving_order(rows, role):
    response = client_for(role).get("/api/v1/warehouses/")

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"code": "sh-main", "name": "上海主仓", "region": "华东"},
            {"code": "bj", "name": "北京仓", "region": ""},
        ]
    }


def test_anonymous_callers_get_401():
    assert client_for(None).get("/api/v1/warehouses/").status_code == 401
