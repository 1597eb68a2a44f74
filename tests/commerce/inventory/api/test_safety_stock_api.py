"""``POST /api/v1/inventory/safety-stock/``: safety stock through ``stock_set_safety``, for stock keepers."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.outbox.models import OutboxEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/safety-stock/"


def _body(**changes) -> dict:
    return {"sku": "TEA-001", "warehouse": "sh-main", "safety_stock": 100, "reason": "618 plan", **changes}


def test_setting_safety_stock_answers_the_row_audits_it_and_alerts_on_crossing(operator_client, shelf):
    response = operator_client.post(URL, _body(), format="json", HTTP_X_REQUEST_ID="trace-safety-api")

    assert response.status_code == 200, response.json()
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        "id": shelf.pk,
        "sku": "TEA-001",
        "title": "西湖龙井 250g",
        "warehouse": "sh-main",
        "warehouse_name": "上海主仓",
        "on_hand": 100,
        "reserved": 0,
        "available": 100,
        "safety_stock": 100,
        "low_stock": True,
    }
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_kind, entry.actor_label, entry.source, entry.trace_id) == (
        "safety_stock_set",
        "user",
        "op",
        "api",
        "trace-safety-api",
    )
    assert entry.changes["safety_stock"] == [0, 100]
    assert OutboxEvent.objects.filter(name="inventory.low_stock").count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "code", "fields"),
    [
        ({"safety_stock": -1}, 400, "invalid", ["safety_stock"]),
        ({"safety_stock": 2.5}, 400, "invalid", ["safety_stock"]),
        ({"safety_stock": "many"}, 400, "invalid", ["safety_stock"]),
        ({"safety_stock": 1_000_000_001}, 400, "invalid", ["safety_stock"]),
        ({"reason": ""}, 400, "invalid", ["reason"]),
        ({"sku": "GHOST"}, 400, "invalid", ["sku"]),
        ({"warehouse": "nowhere"}, 404, "unknown_warehouse", ["warehouse"]),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(operator_client, shelf, changes, status, code, fields):
    response = operator_client.post(URL, _body(**changes), format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert list(response.json()["details"]) == fields
    assert StockItem.objects.values_list("safety_stock", flat=True).get() == 0
    assert AuditEntry.objects.count() == 0


def test_a_sku_not_stocked_in_the_warehouse_is_404(operator_client, shelf, second_warehouse):
    response = operator_client.post(URL, _body(warehouse="bj-north"), format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_stock_row"
    assert response.json()["details"] == {"sku": "TEA-001", "warehouse": "bj-north"}
    assert StockItem.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("supervisor", 200), ("admin", 200), ("finance", 403), ("manager", 403), (None, 401)],
)
def test_only_stock_keepers_may_set_safety_stock(shelf, role, status):
    response = client_for(role).post(URL, _body(safety_stock=5), format="json")

    assert response.status_code == status
