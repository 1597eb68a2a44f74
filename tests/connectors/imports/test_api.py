"""``/api/v1/order-imports/``: uploads of channel exports, their jobs, and the channels' column mappings."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.orders.models import Order
from connectors.imports import jobs, parse
from connectors.imports.models import ColumnMapping, OrderImport
from tests.conftest import client_for

from .conftest import JD_CSV, XLSX_HEADER, XLSX_PLACED, jd_csv, jd_row, upload, workbook

pytestmark = pytest.mark.django_db

URL = "/api/v1/order-imports/"


def _post(client, content: bytes, name: str = "jd-orders.csv", capture=None, **fields):
    data = {"file": upload(content, name), "channel": "jd", **fields}
    if capture is None:
        return client.post(URL, data, format="multipart")
    with capture(execute=True):
        return client.post(URL, data, format="multipart")


def _orders() -> list[tuple]:
    return list(Order.objects.order_by("external_id").values_list("external_id", "status"))


def test_a_jd_gbk_export_becomes_orders_with_their_lines(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    response = _post(operator_client, JD_CSV, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.json()
    queued = response.json()
    assert response["Location"] == f"/api/v1/order-imports/{queued['id']}/"
    assert (queued["status"], queued["filename"], queued["channel"], queued["file_format"], queued["encoding"]) == (
        "queued",
        "jd-orders.csv",
        "jd",
        "csv",
        "gbk",
    )
    assert (queued["total_rows"], queued["created_by"], queued["mapping"]) == (7, "op", "default")
    done = operator_client.get(response["Location"]).json()
    assert (done["status"], done["phase"], done["progress"], done["error_code"], done["errors"]) == (
        "succeeded",
        "",
        1.0,
        "",
        {},
    )
    assert (done["total_rows"], done["processed_rows"], done["total_orders"]) == (7, 7, 4)
    assert done["counts"] == {"created": 4, "updated": 0, "ignored": 0, "failed": 0}
    assert _orders() == [
        ("301234567890", "paid"),
        ("301234567891", "completed"),
        ("301234567892", "cancelled"),
        ("301234567893", "shipped"),
    ]
    first = Order.objects.get(external_id="301234567890")
    assert (first.channel.code, first.ship_to_name, first.ship_to_phone, first.province, first.city) == (
        "jd",
        "王芳",
        "138****5678",
        "浙江省",
        "杭州市",
    )
    assert (first.district, first.address_line, first.total_amount) == (
        "西湖区",
        "文三路 90 号 3 幢 501",
        Decimal("795.00"),
    )
    assert list(first.lines.order_by("position").values_list("sku", "quantity", "unit_price")) == [
        ("TEA-0001", 2, Decimal("368.00")),
        ("CUP-0001", 1, Decimal("59.00")),
    ]
    cancelled = Order.objects.get(external_id="301234567892")
    assert (cancelled.ship_to_name, cancelled.lines.count()) == ("张伟", 3)
    assert first.placed_at.isoformat() == "2026-03-01T02:15:00+00:00"  # 10:15 in Asia/Shanghai
    created = AuditEntry.objects.filter(subject_id=first.pk, action=AuditEntry.CREATED).get()
    assert (created.actor_kind, created.actor_label, created.source) == ("user", "op", "import:jd")
    assert OrderImport.objects.get().content == b""


def test_one_bad_row_imports_nothing_and_names_the_row(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    content = jd_csv(jd_row("9001", "TEA-0001"), jd_row("9002", "TEA-0002", quantity="两"), jd_row("9003", "CUP-0001"))

    response = _post(operator_client, content, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 202
    done = operator_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert (done["status"], done["error_code"]) == ("failed", "invalid_order_import")
    assert (
        done["message"]
        == "The order file has errors; nothing was imported. Correct the rows named and upload it again."
    )
    assert done["errors"] == {"rows[3].quantity": "订购数量: not a whole number from 1 to 100000: '两'"}
    assert done["counts"] == {"created": 0, "updated": 0, "ignored": 0, "failed": 0}
    assert Order.objects.count() == 0


def test_every_bad_row_is_named_with_its_reason(operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks):
    content = jd_csv(
        jd_row("9001", "TEA-0001"),
        jd_row("9001", "TEA-0002", name="李娜"),
        jd_row("9002", "GHOST-1"),
        jd_row("9003", "TEA-0001", status="锁定"),
        jd_row("9004", "TEA-0001", placed="last tuesday"),
        jd_row("9005", "TEA-0001", price="12.345"),
        jd_row("", "TEA-0001"),
        jd_row("9006", "TEA-0001", quantity="0"),
        jd_row("9007", "TEA-0001") + ",extra",
    )

    response = _post(operator_client, content, capture=django_capture_on_commit_callbacks)

    done = operator_client.get(response["Location"]).json()
    assert done["status"] == "failed"
    assert done["errors"] == {
        "rows[3].customer_name": "客户姓名: '李娜' differs from row 2 of the same order '9001'",
        "rows[4].sku": "商家SKU: unknown SKU 'GHOST-1' (not in the catalog, or not sold any more)",
        "rows[5].status": "订单状态: unknown status '锁定'; add it to the channel's column mapping (status words) or "
        "correct the row",
        "rows[6].placed_at": "下单时间: not a time such as 2026-03-01 10:15:00: 'last tuesday'",
        "rows[7].unit_price": "京东价: not an amount such as 368.00: '12.345'",
        "rows[8].external_id": "订单号: required",
        "rows[9].quantity": "订购数量: not a whole number from 1 to 100000: '0'",
        "rows[10]": "1 cell(s) right of the last named column; is a comma inside a value not quoted?",
    }
    assert Order.objects.count() == 0


def test_the_same_file_again_creates_no_order_twice(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    _post(operator_client, JD_CSV, capture=django_capture_on_commit_callbacks)

    again = _post(operator_client, JD_CSV, name="jd-orders (1).csv", capture=django_capture_on_commit_callbacks)

    done = operator_client.get(again["Location"]).json()
    assert (done["status"], done["counts"]) == ("succeeded", {"created": 0, "updated": 0, "ignored": 4, "failed": 0})
    assert Order.objects.count() == 4
    assert sorted(StockItem.objects.values_list("sku", "on_hand", "reserved")) == [
        ("CUP-0001", 96, 0),
        ("TEA-0001", 98, 0),
        ("TEA-0002", 99, 0),
    ]


def test_the_same_file_while_its_import_is_queued_answers_409(operator_client, jd_shop):
    first = _post(operator_client, JD_CSV)  # not committed in a test transaction: stays queued

    again = _post(operator_client, JD_CSV)

    assert again.status_code == 409
    assert again.json()["code"] == "order_import_in_progress"
    assert again.json()["details"] == {"import": first.json()["id"], "status": "queued", "filename": "jd-orders.csv"}


def test_a_later_export_moves_the_orders_on(operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks):
    _post(
        operator_client,
        jd_csv(jd_row("9001", "TEA-0001", status="等待付款")),
        capture=django_capture_on_commit_callbacks,
    )
    later = jd_csv(jd_row("9001", "TEA-0001", status="等待出库", placed="2026-03-01 10:20:00"))

    response = _post(operator_client, later, capture=django_capture_on_commit_callbacks)

    done = operator_client.get(response["Location"]).json()
    assert done["counts"] == {"created": 0, "updated": 1, "ignored": 0, "failed": 0}
    assert _orders() == [("9001", "paid")]


def test_an_order_the_order_centre_refuses_is_named_and_the_others_go_in(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    content = jd_csv(jd_row("9001", "TEA-0001"), jd_row("9002", "TEA-0002", quantity="101"), jd_row("9003", "CUP-0001"))

    response = _post(operator_client, content, capture=django_capture_on_commit_callbacks)

    done = operator_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert (done["status"], done["error_code"]) == ("succeeded", "orders_refused")
    assert done["counts"] == {"created": 2, "updated": 0, "ignored": 0, "failed": 1}
    assert done["errors"] == {
        "rows[3]": "order '9002' was not imported: insufficient_stock: Not enough stock to reserve this order. "
        "(sku: TEA-0002; requested: 101; available: 100; line: 0)"
    }
    assert _orders() == [("9001", "paid"), ("9003", "paid")]


def test_an_xlsx_export_becomes_orders(operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks):
    rows = [
        XLSX_HEADER,
        [
            301234567895,
            "等待出库",
            "陈静",
            "13912345678",
            "上海市",
            "上海市",
            "徐汇区",
            "漕溪北路 88 号",
            "TEA-0001",
            2,
            368,
            XLSX_PLACED,
        ],
        [301234567895, None, None, None, None, None, None, None, "CUP-0001", 1.0, 59.5, None],
        [
            301234567896,
            "完成",
            "杨磊",
            "13812345678",
            "上海市",
            "上海市",
            "静安区",
            "南京西路 1 号",
            "TEA-0002",
            3,
            "168.00",
            XLSX_PLACED,
        ],
    ]

    response = _post(operator_client, workbook(rows), name="jd.xlsx", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.json()
    assert (response.json()["file_format"], response.json()["total_rows"]) == ("xlsx", 0)  # counted when read
    done = operator_client.get(response["Location"]).json()
    assert (done["status"], done["total_rows"], done["total_orders"]) == ("succeeded", 3, 2)
    assert _orders() == [("301234567895", "paid"), ("301234567896", "completed")]
    order = Order.objects.get(external_id="301234567895")
    assert list(order.lines.order_by("position").values_list("sku", "quantity", "unit_price")) == [
        ("TEA-0001", 2, Decimal("368.00")),
        ("CUP-0001", 1, Decimal("59.50")),
    ]
    assert order.placed_at.isoformat() == "2026-03-03T01:30:00+00:00"


def test_an_xlsx_whose_sheet_declares_only_a1_is_read_whole(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    rows = [
        XLSX_HEADER,
        *[
            [f"X{n}", "等待出库", "陈静", "13912345678", "上海市", "上海市", "", "路 1 号", "TEA-0001", 1, 1, ""]
            for n in range(3)
        ],
    ]

    response = _post(
        operator_client, workbook(rows, dimension="A1"), name="jd.xlsx", capture=django_capture_on_commit_callbacks
    )

    assert operator_client.get(response["Location"]).json()["counts"]["created"] == 3


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "status", "code", "details"),
    [
        (b"", "jd.csv", 400, "invalid_order_import", {"file": "the file is empty; export the orders again"}),
        (
            JD_CSV,
            "jd.xlsx",
            400,
            "invalid_order_import",
            {"file": "named .xlsx but it is not an Excel workbook (not a zip archive); export it again"},
        ),
        (
            b"PK\x03\x04 this is no zip",
            "jd.xlsx",
            400,
            "invalid_order_import",
            {"file": "not an Excel workbook: the zip archive is damaged; export it again"},
        ),
        (
            _zip({"xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024)}),
            "jd.xlsx",
            400,
            "invalid_order_import",
            {
                "file": "part 'xl/worksheets/sheet1.xml' unpacks to more than 100 times its packed size; refused as a zip bomb"
            },
        ),
        (
            _zip({"word/document.xml": b"<w:document/>"}),
            "jd.xlsx",
            400,
            "invalid_order_import",
            {"file": "a zip archive, but not an Excel workbook (.xlsx); export the orders again"},
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "jd.xls",
            400,
            "invalid_order_import",
            {
                "file": "an old binary Excel (.xls) file or a password-protected workbook; save it as .xlsx without "
                "a password, or as CSV, and upload that"
            },
        ),
        (
            "<html><body><table><tr><td>订单号</td></tr></table></body></html>".encode("gbk"),
            "jd.xls",
            400,
            "invalid_order_import",
            {
                "file": "a web page (HTML) or XML saved under a spreadsheet's name; open it in Excel, save it as "
                ".xlsx or CSV, and upload that"
            },
        ),
        (
            "订单号\tx\r\n".encode("utf-16"),
            "jd.csv",
            400,
            "invalid_order_import",
            {"file": "UTF-16 text (Excel's 'Unicode text'); save it as CSV in UTF-8 or GBK"},
        ),
        (
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "jd.csv",
            400,
            "invalid_order_import",
            {"file": "binary data, not CSV text; upload the CSV or .xlsx export"},
        ),
        (
            "订单号,订单状态\r\n1,等待出库\r\n".encode(),
            "jd.csv",
            400,
            "invalid_order_import",
            {
                "header": "no column '客户姓名' (customer_name), '联系电话' (phone), '省' (province), '市' (city), "
                "'客户地址' (address), '商家SKU' (sku), '订购数量' (quantity) in the file; its columns are '订单号', "
                "'订单状态'. Correct the channel's column mapping or upload the channel's export"
            },
        ),
        (
            jd_csv(),
            "jd.csv",
            400,
            "invalid_order_import",
            {"file": "no rows below the header"},
        ),
    ],
    ids=[
        "empty",
        "csv-named-xlsx",
        "broken-zip",
        "zip-bomb",
        "zip-not-workbook",
        "old-xls",
        "html-named-xls",
        "utf-16",
        "png",
        "no-columns",
        "no-rows",
    ],
)
def test_a_file_that_is_not_an_export_answers_4xx_and_stores_nothing(
    operator_client, jd_shop, content, name, status, code, details
):
    response = _post(operator_client, content, name=name)

    assert response.status_code == status, response.json()
    assert (response.json()["code"], response.json()["details"]) == (code, details)
    assert OrderImport.objects.count() == 0
    assert Order.objects.count() == 0


def test_a_file_over_the_size_limit_answers_413(operator_client, jd_shop, monkeypatch):
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", 1000)

    response = _post(operator_client, JD_CSV + b" " * 1000)

    assert response.status_code == 413
    assert response.json()["details"] == {"file": "larger than 0 MB; split it", "limit_bytes": 1000}
    assert OrderImport.objects.count() == 0


def test_a_file_over_the_row_limit_answers_413(operator_client, jd_shop, monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 5)

    response = _post(operator_client, JD_CSV)

    assert response.status_code == 413
    assert response.json()["details"] == {
        "file": "more than 5 rows below the header (row 7 is one too many); split the file",
        "max_rows": 5,
    }
    assert OrderImport.objects.count() == 0


def test_an_unknown_channel_answers_400(operator_client, jd_shop):
    response = _post(operator_client, JD_CSV, channel="taobao-x")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["details"]) == (
        "unknown_channel",
        {"channel": "no active channel 'taobao-x'"},
    )


def test_managers_read_imports_but_do_not_upload(jd_shop):
    manager = client_for("manager")

    assert _post(manager, JD_CSV).status_code == 403
    assert manager.get(URL).status_code == 200
    assert OrderImport.objects.count() == 0


def test_an_import_whose_task_was_lost_is_failed_when_read(operator_client, jd_shop):
    queued = _post(operator_client, JD_CSV).json()
    OrderImport.objects.filter(pk=queued["id"]).update(created_at=timezone.now() - timedelta(minutes=16))

    seen = operator_client.get(f"{URL}{queued['id']}/").json()

    assert (seen["status"], seen["error_code"]) == ("failed", "order_import_abandoned")
    assert seen["errors"]["file"].endswith(
        "not started within 900 s: its task was lost (worker stopped or queue flushed); nothing was imported — "
        "upload the file again"
    )
    assert _post(operator_client, JD_CSV).status_code == 202  # the same file may go again


def test_a_running_import_whose_worker_went_silent_is_failed_when_listed(operator_client, jd_shop):
    queued = _post(operator_client, JD_CSV).json()
    stale = timezone.now() - timedelta(minutes=3)
    OrderImport.objects.filter(pk=queued["id"]).update(
        status="running", started_at=stale, heartbeat_at=stale, created=2
    )

    listed = operator_client.get(URL).json()["results"]

    assert [(job["id"], job["status"], job["error_code"]) for job in listed] == [
        (queued["id"], "failed", "order_import_abandoned")
    ]
    assert "after 2 order(s) were applied" in listed[0]["errors"]["file"]


def test_a_run_delivered_twice_runs_once(operator_client, jd_shop):
    queued = _post(operator_client, JD_CSV).json()

    first = jobs.order_import_run(import_id=queued["id"])
    second = jobs.order_import_run(import_id=queued["id"])

    assert (first.status, second) == ("succeeded", None)
    assert Order.objects.count() == 4


def test_the_jd_mapping_is_built_in_until_one_is_saved(operator_client, jd_shop):
    answer = operator_client.get(f"{URL}mappings/jd/").json()

    assert (answer["saved"], answer["name"], answer["time_zone"]) == (False, "default", "Asia/Shanghai")
    assert answer["columns"]["external_id"] == "订单号"
    assert answer["statuses"]["等待出库"] == "paid"
    assert [f["key"] for f in answer["order_fields"] if f["required"]] == [
        "external_id",
        "status",
        "customer_name",
        "phone",
        "province",
        "city",
        "address",
        "sku",
        "quantity",
    ]


def test_a_saved_mapping_reads_the_next_upload(operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks):
    columns = {
        "external_id": "单号",
        "status": "状态",
        "customer_name": "收件人",
        "phone": "手机",
        "province": "省份",
        "city": "城市",
        "address": "地址",
        "sku": "编码",
        "quantity": "件数",
        "updated_at": "修改时间",
    }
    saved = operator_client.put(
        f"{URL}mappings/jd/",
        {"columns": columns, "statuses": {"待发货": "paid"}, "time_zone": "Asia/Shanghai"},
        format="json",
    )
    content = "单号,状态,收件人,手机,省份,城市,地址,编码,件数,修改时间\n7001,待发货,周杰,13800000000,台湾省,台北市,信义路 5 段,TEA-0002,2,2026-03-05T08:00:00Z\n".encode()

    response = _post(operator_client, content, capture=django_capture_on_commit_callbacks)

    assert saved.status_code == 200, saved.json()
    assert (saved.json()["saved"], saved.json()["updated_by"]) == (True, "op")
    assert ColumnMapping.objects.get().columns == columns
    assert operator_client.get(response["Location"]).json()["status"] == "succeeded"
    order = Order.objects.get()
    assert (order.external_id, order.status, order.channel_updated_at.isoformat()) == (
        "7001",
        "paid",
        "2026-03-05T08:00:00+00:00",
    )


def test_a_mapping_missing_a_required_column_or_naming_an_unknown_status_is_refused(operator_client, jd_shop):
    response = operator_client.put(
        f"{URL}mappings/jd/",
        {
            "columns": {"external_id": "单号", "colour": "颜色"},
            "statuses": {"锁定": "frozen"},
            "time_zone": "Mars/Base",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"statuses": {"锁定": ['"frozen" is not a valid choice.']}}
    response = operator_client.put(
        f"{URL}mappings/jd/",
        {"columns": {"external_id": "单号", "colour": "颜色"}, "statuses": {}, "time_zone": "Mars/Base"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_column_mapping"
    assert response.json()["details"] == {
        "columns.colour": "not an order field; the fields are external_id, status, customer_name, phone, province, "
        "city, district, address, sku, quantity, unit_price, updated_at, paid_at, placed_at",
        "columns.status": "required: the header of the column holding it",
        "columns.customer_name": "required: the header of the column holding it",
        "columns.phone": "required: the header of the column holding it",
        "columns.province": "required: the header of the column holding it",
        "columns.city": "required: the header of the column holding it",
        "columns.address": "required: the header of the column holding it",
        "columns.sku": "required: the header of the column holding it",
        "columns.quantity": "required: the header of the column holding it",
        "time_zone": "not a time zone name such as Asia/Shanghai",
    }
    assert ColumnMapping.objects.count() == 0


def test_an_unknown_mapping_name_answers_404(operator_client, jd_shop):
    response = _post(operator_client, JD_CSV, mapping="weekly")

    assert response.status_code == 404
    assert (response.json()["code"], response.json()["details"]) == (
        "unknown_column_mapping",
        {"mapping": "jd has no column mapping named 'weekly'"},
    )


def test_a_failed_import_says_why_in_the_readers_language(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    content = jd_csv(jd_row("9001", "GHOST-1"))
    response = _post(operator_client, content, capture=django_capture_on_commit_callbacks)

    seen = operator_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert (seen["error_code"], seen["message"]) == (
        "invalid_order_import",
        "订单文件有错误，未导入任何内容。请更正所列的行后重新上传。",
    )


def test_a_time_in_the_future_is_a_bad_row(operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks):
    response = _post(
        operator_client,
        jd_csv(jd_row("9001", "TEA-0001", placed="2099-01-01 00:00:00")),
        capture=django_capture_on_commit_callbacks,
    )

    assert operator_client.get(response["Location"]).json()["errors"] == {
        "rows[2].placed_at": "下单时间: in the future: '2099-01-01 00:00:00' (is the mapping's time zone right?)"
    }


def test_a_channel_deactivated_after_the_upload_fails_the_import(operator_client, jd_shop):
    queued = _post(operator_client, JD_CSV).json()
    jd_shop.active = False
    jd_shop.save()

    done = jobs.order_import_run(import_id=queued["id"])

    assert (done.status, done.error_code, done.errors) == (
        "failed",
        "unknown_channel",
        {"channel": "'jd' was deactivated after the upload"},
    )
    assert Order.objects.count() == 0


def test_a_line_break_inside_a_quoted_address_becomes_a_space(
    operator_client, jd_shop, q_sync, django_capture_on_commit_callbacks
):
    row = jd_row("9001", "TEA-0001").replace("文三路 90 号", '"文三路 90 号\r\n3 幢 501"')

    _post(operator_client, jd_csv(row), capture=django_capture_on_commit_callbacks)

    assert Order.objects.get().address_line == "文三路 90 号 3 幢 501"
