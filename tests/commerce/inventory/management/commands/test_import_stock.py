"""``manage.py import_stock FILE``: progress on stderr, a summary on stdout, every error by row and exit 1."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from commerce.inventory.models import StockItem, StockMovement

pytestmark = pytest.mark.django_db


def _write(tmp_path, text: str):
    path = tmp_path / "stock.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_is_imported_with_progress_and_a_summary(shelf, tmp_path):
    path = _write(tmp_path, "sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,130,0\n")
    out, err = StringIO(), StringIO()

    call_command("import_stock", str(path), stdout=out, stderr=err)

    assert out.getvalue() == (
        "imported 1 row(s): 0 new stock row(s), 1 changed, 0 unchanged, 1 adjustment movement(s)\n"
    )
    assert (
        err.getvalue()
        == "checking  [##############################] 1/1\napplying  [##############################] 1/1\n"
    )
    assert StockItem.objects.values_list("on_hand", flat=True).get() == 130
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity", "reason").last() == (
        "adjustment",
        30,
        "stock import stock.csv",
    )


def test_no_progress_when_asked(shelf, tmp_path):
    path = _write(tmp_path, "sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,1,0\n")
    err = StringIO()

    call_command("import_stock", str(path), "--no-progress", stdout=StringIO(), stderr=err)

    assert err.getvalue() == ""


def test_a_bad_file_lists_every_error_imports_nothing_and_exits_1(shelf, tmp_path):
    path = _write(tmp_path, "sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,-1,0\nGHOST,sh-main,1,0\n")
    err = StringIO()

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_stock", str(path), stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert str(raised.value) == "The stock file has errors; nothing was imported. (invalid_stock_import)"
    assert err.getvalue() == "rows[2].on_hand: must not be negative, got -1\nrows[3].sku: unknown SKU 'GHOST'\n"
    assert StockItem.objects.values_list("on_hand", flat=True).get() == 100
    assert StockMovement.objects.count() == 1


def test_a_file_over_the_row_limit_is_refused(shelf, tmp_path):
    path = _write(tmp_path, "sku,warehouse,on_hand,safety_stock\n" + "TEA-001,sh-main,1,0\n" * 200_001)
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_stock", str(path), stdout=StringIO(), stderr=err)

    assert "stock_import_too_large" in str(raised.value)
    assert err.getvalue().splitlines()[-2:] == [
        "file: more than 200000 data rows (row 200002 is one too many); split the file",
        "max_rows: 200000",
    ]
    assert StockMovement.objects.count() == 1


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_stock", str(tmp_path / "nope.csv"), stdout=StringIO(), stderr=StringIO())

    assert str(raised.value) == f"cannot read {tmp_path / 'nope.csv'}: No such file or directory"
