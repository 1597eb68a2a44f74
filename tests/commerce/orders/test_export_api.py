"""``GET /api/v1/orders/export.csv``: the board's view as a CSV file Excel opens, safe to open."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from commerce.orders.models import Order
from tests.conftest import client_for

from .board import board_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/export.csv"


def read(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_chinese_titles_names_not_codes_and_masked_phones(channel, stocked):
    order = board_order(channel, "TM-1", name="王芳", phone="13912345678", tags=("vip", "fresh"))
    Order.objects.filter(pk=order.pk).update(placed_at="2026-12-06T05:22:07Z")

    response = client_for("operator").get(URL)

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    header, row = read(response)
    assert header[:6] == ["订单号", "渠道", "渠道订单号", "状态", "客户", "电话"]
    record = dict(zip(header, row, strict=True))
    assert record["订单号"] == order.number
    assert record["渠道"] == "天猫旗舰店"
    assert record["状态"] == "待支付"
    assert record["电话"] == "139****5678"
    assert record["市"] == "杭州市"
    assert record["商品"] == "TEA-001 西湖龙井 250g ×1"
    assert record["实付金额"] == "199.00"
    assert record["标签"] == "fresh, vip"
    assert (record["冻结"], record["超时"]) == ("否", "否")
    assert record["下单时间"] == "2026-12-06 13:22:07"  # Asia/Shanghai


def test_english_and_full_phones_for_a_supervisor(channel, stocked):
    board_order(channel, "TM-1", phone="13912345678", status="paid")

    header, row = read(client_for("supervisor").get(f"{URL}?lang=en"))

    record = dict(zip(header, row, strict=True))
    assert (record["Status"], record["Phone"], record["On hold"]) == ("Paid", "13912345678", "no")


def test_the_filters_of_the_list_apply(channel, stocked):
    board_order(channel, "A", city="杭州市")
    nb = board_order(channel, "B", city="宁波市", phone="13900000001")

    rows = read(client_for("manager").get(f"{URL}?city=宁波市"))

    assert [row[0] for row in rows[1:]] == [nb.number]


def test_cells_that_a_spreadsheet_would_run_are_made_text(channel, stocked):
    board_order(channel, "=HYPERLINK(1)", name="@SUM(A1)", phone="+8613912345678", tags=("-2+3",))

    header, row = read(client_for("admin").get(URL))

    record = dict(zip(header, row, strict=True))
    assert record["渠道订单号"] == "'=HYPERLINK(1)"
    assert record["客户"] == "'@SUM(A1)"
    assert record["电话"] == "'+8613912345678"
    assert record["标签"] == "'-2+3"


def test_a_view_larger_than_the_limit_asks_for_narrower_filters(channel, stocked, settings):
    settings.ORDERFLOW_ORDER_EXPORT_MAX_ROWS = 1
    board_order(channel, "A")
    board_order(channel, "B", phone="13900000001")

    response = client_for("operator").get(URL, HTTP_ACCEPT="text/csv")

    assert response.status_code == 400
    assert response.json()["code"] == "export_too_large"
    assert response.json()["details"] == {"limit": 1}


def test_a_head_request_tells_before_the_download_whether_the_view_can_be_exported(channel, stocked, settings):
    settings.ORDERFLOW_ORDER_EXPORT_MAX_ROWS = 1
    board_order(channel, "A", city="杭州市")
    board_order(channel, "B", city="宁波市", phone="13900000001")
    client = client_for("operator")

    assert client.head(URL).status_code == 400
    fits = client.head(f"{URL}?city=宁波市")
    assert fits.status_code == 200
    assert fits["Content-Type"] == "text/csv; charset=utf-8"


def test_bad_filters_are_named(db):
    response = client_for("operator").get(f"{URL}?status=teleported&lang=fr")

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"status", "lang"}
