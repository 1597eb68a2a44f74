"""Stock levels from CSV (``commerce.inventory.imports``): every row checked first, then all applied or none."""

import io
import time

import pytest
from django.apps import apps

from commerce.audit.models import AuditEntry
from commerce.inventory.errors import StockImportInvalid, StockImportTooLarge
from commerce.inventory.imports import StockImportResult, parse, stock_import
from commerce.inventory.models import StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

HEADER = "sku,warehouse,on_hand,safety_stock\n"


def _csv(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(f"{r}\n" for r in rows)).encode())


def _state() -> tuple:
    """Every row of every inventory table, to show that a refused file changed nothing."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models()}
    levels = list(StockItem.objects.order_by("pk").values_list("sku", "on_hand", "reserved", "safety_stock"))
    return counts, levels, OutboxEvent.objects.count()


def _import(file) -> StockImportResult:
    return stock_import(file=file, actor=TEST_ACTOR, reason="stock import test.csv")


def _refused(file, error=StockImportInvalid) -> dict:
    before = _state()
    with pytest.raises(error) as raised:
        _import(file)
    assert _state() == before
    return raised.value.details


def test_a_good_file_sets_levels_through_adjustments(shelf, second_warehouse, second_product):
    result = _import(_csv("TEA-001,sh-main,120,5", "TEA-001,bj-north,30,0", "CUP-002,sh-main,0,4"))

    assert result == StockImportResult(rows=3, created=2, changed=3, unchanged=0, movements=2)
    assert sorted(StockItem.objects.values_list("sku", "warehouse__code", "on_hand", "reserved", "safety_stock")) == [
        ("CUP-002", "sh-main", 0, 0, 4),
        ("TEA-001", "bj-north", 30, 0, 0),
        ("TEA-001", "sh-main", 120, 0, 5),
    ]
    assert list(
        StockMovement.objects.filter(kind="adjustment").values_list("stock_item__sku", "quantity", "reason")
    ) == [
        ("TEA-001", 20, "stock import test.csv"),
        ("TEA-001", 30, "stock import test.csv"),
    ]
    assert stock_ledger_differences() == []


def test_a_count_below_the_ledger_writes_a_negative_adjustment(channel, shelf):
    create_order(channel, lines=(("TEA-001", 10),))

    result = _import(_csv("TEA-001,sh-main,60,0"))

    assert (result.changed, result.movements) == (1, 1)
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (60, 10)
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity").last() == ("adjustment", -40)
    assert stock_ledger_differences() == []


def test_an_unchanged_row_writes_no_movement(shelf):
    result = _import(_csv("TEA-001,sh-main,100,0"))

    assert result == StockImportResult(rows=1, created=0, changed=0, unchanged=1, movements=0)
    assert StockMovement.objects.count() == 1


def test_a_new_safety_stock_alone_changes_the_row_and_may_alert(shelf):
    result = _import(_csv("TEA-001,sh-main,100,100"))

    assert (result.changed, result.movements) == (1, 0)
    assert StockItem.objects.values_list("safety_stock", "low_stock_alerted").get() == (100, True)
    assert OutboxEvent.objects.filter(name="inventory.low_stock").count() == 1


def test_a_byte_order_mark_blank_lines_and_spacing_are_accepted(shelf):
    data = "\ufeffSKU, Warehouse ,on_hand,safety_stock\r\n TEA-001 ,sh-main, 80 ,2\r\n\r\n".encode()

    result = _import(io.BytesIO(data))

    assert result.rows == 1
    assert StockItem.objects.values_list("on_hand", "safety_stock").get() == (80, 2)


def test_every_bad_row_is_named_and_nothing_is_applied(channel, shelf, second_product):
    create_order(channel, lines=(("TEA-001", 10),))
    file = _csv(
        "CUP-002,sh-main,50,1",  # row 2 is good, and is not applied either
        "TEA-001,sh-main,5,0",  # below the 10 reserved
        "GHOST,sh-main,1,0",
        "CUP-002,nowhere,1,0",
        "CUP-002,sh-main,7,0",  # the same SKU and warehouse as row 2
        "CUP-002,sh-main,1",
        "CUP-002,sh-main,-4,x",
        "CUP-002,sh-main,1.5,1e3",
        ",,,",
        ",sh-main,,2",
        "CUP-002,sh-main,٣,1",
    )

    details = _refused(file)

    assert details == {
        "rows[3].on_hand": "5 is below the 10 currently reserved for open orders",
        "rows[4].sku": "unknown SKU 'GHOST'",
        "rows[5].warehouse": "unknown or inactive warehouse 'nowhere'",
        "rows[6].sku": "CUP-002 in sh-main is already on row 2",
        "rows[7]": "expected 4 columns (sku,warehouse,on_hand,safety_stock), got 3",
        "rows[8].on_hand": "must not be negative, got -4",
        "rows[8].safety_stock": "not a whole number: 'x'",
        "rows[9].on_hand": "not a whole number: '1.5'",
        "rows[9].safety_stock": "not a whole number: '1e3'",
        "rows[11].sku": "required",
        "rows[11].on_hand": "required",
        "rows[12].on_hand": "not a whole number: '٣'",
    }


def test_a_wrong_header_is_refused(shelf):
    details = _refused(_csv("TEA-001,sh-main,1,0", header="sku,warehouse,quantity\n"))

    assert details == {"header": "expected the columns sku,warehouse,on_hand,safety_stock, got sku,warehouse,quantity"}


def test_an_empty_file_and_a_header_alone_are_refused(shelf):
    assert _refused(io.BytesIO(b"")) == {"file": "empty; expected the header sku,warehouse,on_hand,safety_stock"}
    assert _refused(_csv()) == {"file": "no data rows after the header"}


def test_text_that_is_not_utf8_is_refused(shelf):
    details = _refused(io.BytesIO((HEADER + "TEA-001,sh-main,1,0\n").encode("utf-16")))

    assert list(details) == ["file"]
    assert details["file"].startswith("not UTF-8 text")


def test_numbers_past_the_limit_are_refused(shelf):
    details = _refused(_csv("TEA-001,sh-main,1000000001,0"))

    assert details == {"rows[2].on_hand": "larger than 1000000000"}


def test_thousands_of_bad_rows_are_listed_up_to_a_limit(shelf):
    details = _refused(_csv(*["GHOST,sh-main,1,0"] * 250))

    assert len(details) == 201
    assert details["rows[2].sku"] == "unknown SKU 'GHOST'"
    assert details["more_errors"] == "50 more error(s) not listed"


def test_a_file_over_the_row_limit_is_refused_fast_without_reading_it_all(shelf):
    file = _csv(*[f"SKU-{n},sh-main,1,0" for n in range(300_000)])

    started = time.monotonic()
    details = _refused(file, StockImportTooLarge)
    elapsed = time.monotonic() - started

    assert details == {
        "file": "more than 200000 data rows (row 200002 is one too many); split the file",
        "max_rows": 200000,
    }
    assert elapsed < 5  # about a second on a loaded laptop: it stops at row 200,002
    assert file.tell() < len(file.getvalue())


def test_the_row_limit_itself_is_accepted_and_one_more_is_not(shelf, second_warehouse, monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 2)

    details = _refused(_csv("TEA-001,sh-main,1,0", "TEA-001,bj-north,2,0", "TEA-001,gz-south,3,0"), StockImportTooLarge)
    result = _import(_csv("TEA-001,sh-main,40,0", "TEA-001,bj-north,40,0"))

    assert details["file"] == "more than 2 data rows (row 4 is one too many); split the file"
    assert result.rows == 2


def test_a_changed_safety_stock_is_audited_as_the_safety_stock_service_does(shelf, second_warehouse):
    _import(_csv("TEA-001,sh-main,100,12", "TEA-001,bj-north,5,0"))

    assert list(AuditEntry.objects.values_list("subject_id", "action", "actor_label", "changes")) == [
        (
            str(shelf.pk),
            "safety_stock_set",
            "tests",
            {"safety_stock": [0, 12], "reason": "stock import test.csv", "sku": "TEA-001", "warehouse": "sh-main"},
        )
    ]
