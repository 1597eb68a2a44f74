"""``manage.py import_orders FILE --channel jd``: progress on stderr, a summary on stdout, every bad row and exit 1."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from connectors.imports.models import OrderImport
from tests.connectors.imports.conftest import JD_CSV, jd_csv, jd_row

pytestmark = pytest.mark.django_db


def _file(tmp_path, content: bytes, name: str = "jd-orders.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_a_jd_export_is_imported_with_progress_and_a_summary(jd_shop, tmp_path):
    out, err = StringIO(), StringIO()

    call_command("import_orders", _file(tmp_path, JD_CSV), "--channel", "jd", stdout=out, stderr=err)

    job = OrderImport.objects.get()
    assert out.getvalue() == f"import {job.pk}: 7 row(s), 4 order(s): 4 created, 0 updated, 0 ignored, 0 refused\n"
    assert err.getvalue() == (
        "reading   [##############################] 7/7 rows\n"
        "checking\n"
        "applying  [########......................] 2/7 rows\n"
        "applying  [##############################] 7/7 rows\n"
    )
    assert (job.status, job.created_by, job.actor_label, job.source) == (
        "succeeded",
        None,
        "import_orders",
        "import:jd",
    )
    assert Order.objects.count() == 4
    audit = AuditEntry.objects.filter(action=AuditEntry.CREATED).first()
    assert (audit.actor_kind, audit.source) == ("system", "import:jd")


def test_no_progress_when_asked(jd_shop, tmp_path):
    err = StringIO()

    call_command(
        "import_orders", _file(tmp_path, JD_CSV), "--channel", "jd", "--no-progress", stdout=StringIO(), stderr=err
    )

    assert err.getvalue() == ""


def test_a_file_with_bad_rows_lists_each_imports_nothing_and_exits_1(jd_shop, tmp_path):
    content = jd_csv(jd_row("9001", "GHOST-1"), jd_row("9002", "TEA-0001", quantity="-2"))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_orders", _file(tmp_path, content), "--channel", "jd", "--no-progress", stdout=StringIO(), stderr=err
        )

    job = OrderImport.objects.get()
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"import {job.pk}: The order file has errors; nothing was imported. Correct the rows named and upload it "
        "again. (invalid_order_import)"
    )
    assert err.getvalue() == (
        "rows[2].sku: 商家SKU: unknown SKU 'GHOST-1' (not in the catalog, or not sold any more)\n"
        "rows[3].quantity: 订购数量: not a whole number from 1 to 100000: '-2'\n"
    )
    assert Order.objects.count() == 0


def test_a_file_that_is_not_an_export_exits_1_and_stores_nothing(jd_shop, tmp_path):
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_orders", _file(tmp_path, JD_CSV, "jd.xlsx"), "--channel", "jd", stdout=StringIO(), stderr=err
        )

    assert str(raised.value) == (
        "The order file has errors; nothing was imported. Correct the rows named and upload it again. "
        "(invalid_order_import)"
    )
    assert err.getvalue() == "file: named .xlsx but it is not an Excel workbook (not a zip archive); export it again\n"
    assert OrderImport.objects.count() == 0


def test_an_unreadable_path_exits_1(jd_shop, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_orders", str(tmp_path / "missing.csv"), "--channel", "jd", stdout=StringIO(), stderr=StringIO()
        )

    assert str(raised.value) == f"cannot read {tmp_path / 'missing.csv'}: No such file or directory"
