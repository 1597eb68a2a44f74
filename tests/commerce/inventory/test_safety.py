"""``stock_set_safety``: safety stock set under a row lock, audited, alerting once per crossing."""

import pytest
from django.apps import apps

from commerce.audit.models import AuditEntry
from commerce.inventory.errors import UnknownWarehouse
from commerce.inventory.models import StockItem
from commerce.inventory.safety import MAX_SAFETY_STOCK, StockRowNotFound, stock_set_safety
from commerce.outbox.models import OutboxEvent
from core.actors import Actor
from core.errors import InvalidInput
from core.trace import bind_trace_id, reset_trace_id
from tests.factories import TEST_ACTOR, WarehouseFactory

pytestmark = pytest.mark.django_db


def _set(level, *, sku="TEA-001", warehouse="sh-main", reason="season plan", actor=TEST_ACTOR) -> StockItem:
    return stock_set_safety(sku=sku, warehouse_code=warehouse, safety_stock=level, reason=reason, actor=actor)


def _alerts() -> list[dict]:
    return list(OutboxEvent.objects.filter(name="inventory.low_stock").order_by("id").values_list("payload", flat=True))


def _state() -> tuple:
    counts = {m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models()}
    levels = list(StockItem.objects.order_by("pk").values_list("sku", "on_hand", "safety_stock", "low_stock_alerted"))
    return counts, levels, OutboxEvent.objects.count(), AuditEntry.objects.count()


def test_setting_safety_stock_changes_the_row_and_writes_one_audit_entry(shelf):
    token = bind_trace_id("trace-safety-1")
    try:
        row = _set(30, actor=Actor.system("planner", source="api"))
    finally:
        reset_trace_id(token)

    assert (row.safety_stock, row.on_hand, row.low_stock_alerted) == (30, 100, False)
    entry = AuditEntry.objects.get()
    assert (entry.subject_type, entry.subject_id, entry.action) == ("stock_item", str(shelf.pk), "safety_stock_set")
    assert (entry.actor_kind, entry.actor_label, entry.source, entry.trace_id) == (
        "system",
        "planner",
        "api",
        "trace-safety-1",
    )
    assert entry.changes == {"safety_stock": [0, 30], "reason": "season plan", "sku": "TEA-001", "warehouse": "sh-main"}
    assert _alerts() == []


def test_raising_safety_stock_to_available_fires_low_stock_once(shelf):
    _set(100)
    _set(150)

    assert _alerts() == [
        {
            "stock": {
                "id": shelf.pk,
                "sku": "TEA-001",
                "warehouse": "sh-main",
                "on_hand": 100,
                "reserved": 0,
                "available": 100,
                "safety_stock": 100,
                "low_stock": True,
            }
        }
    ]
    assert StockItem.objects.values_list("safety_stock", "low_stock_alerted").get() == (150, True)
    assert list(AuditEntry.objects.values_list("changes__safety_stock", flat=True)) == [[0, 100], [100, 150]]


def test_lowering_it_out_of_low_stock_rearms_the_alert(shelf):
    _set(120)

    _set(10)
    assert StockItem.objects.values_list("low_stock_alerted", flat=True).get() is False
    _set(200)

    assert [a["stock"]["safety_stock"] for a in _alerts()] == [120, 200]


def test_the_value_it_already_has_writes_nothing(shelf):
    _set(5)
    before = _state()

    row = _set(5)

    assert row.safety_stock == 5
    assert _state() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "details"),
    [
        ({"level": -1}, InvalidInput, {"safety_stock": "must not be negative, got -1"}),
        ({"level": 2.5}, InvalidInput, {"safety_stock": "must be a whole number, got 2.5"}),
        ({"level": "7"}, InvalidInput, {"safety_stock": "must be a whole number, got '7'"}),
        ({"level": True}, InvalidInput, {"safety_stock": "must be a whole number, got True"}),
        (
            {"level": MAX_SAFETY_STOCK + 1},
            InvalidInput,
            {"safety_stock": f"must be at most {MAX_SAFETY_STOCK}, got {MAX_SAFETY_STOCK + 1}"},
        ),
        ({"level": 5, "reason": "  "}, InvalidInput, {"reason": "required"}),
        ({"level": 5, "sku": "GHOST"}, InvalidInput, {"sku": "unknown SKU 'GHOST'"}),
        ({"level": 5, "warehouse": "nowhere"}, UnknownWarehouse, {"warehouse": "nowhere"}),
        ({"level": 5, "warehouse": "bj-north"}, StockRowNotFound, {"sku": "TEA-001", "warehouse": "bj-north"}),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(shelf, kwargs, error, details):
    WarehouseFactory(code="bj-north", name="北京北仓", priority=2)
    before = _state()

    with pytest.raises(error) as raised:
        _set(kwargs.pop("level"), **kwargs)

    assert raised.value.details == details
    assert _state() == before


def test_an_inactive_warehouse_is_unknown(shelf, warehouse):
    warehouse.active = False
    warehouse.save()

    with pytest.raises(UnknownWarehouse):
        _set(5)

    assert StockItem.objects.values_list("safety_stock", flat=True).get() == 0
