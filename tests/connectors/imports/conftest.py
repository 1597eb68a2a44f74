import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

FIXTURES = Path(__file__).with_name("fixtures")
JD_CSV = (FIXTURES / "jd_orders_gbk.csv").read_bytes()
JD_HEADER = (
    "订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,订单状态,客户姓名,客户地址,联系电话,订单备注,"
    "省,市,县,商家SKU,付款确认时间"
)


@pytest.fixture
def jd_shop(db):
    """The JD channel, and the fixture's three SKUs with 100 each in one warehouse."""
    channel = ChannelFactory(code="jd", name="京东自营")
    warehouse = WarehouseFactory(code="bj-shunyi", name="北京顺义仓", priority=1)
    for sku, price in (("TEA-0001", "368.00"), ("TEA-0002", "168.00"), ("CUP-0001", "59.00")):
        ProductFactory(sku=sku, title=sku, price=price)
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=100)
    return channel


@pytest.fixture
def q_sync(settings):
    """django-q2 runs queued tasks at once, in the caller's thread (its sync mode)."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}


def jd_row(
    order: str,
    sku: str,
    quantity: str = "1",
    status: str = "等待出库",
    *,
    name: str = "王芳",
    price: str = "368.00",
    placed: str = "2026-03-01 10:15:00",
) -> str:
    return (
        f'="{order}",1,商品,{quantity},在线支付,{placed},{price},0,{status},{name},文三路 90 号,138****5678,,'
        f"浙江省,杭州市,西湖区,{sku},"
    )


def jd_csv(*rows: str, encoding: str = "gbk") -> bytes:
    return ("\r\n".join((JD_HEADER, *rows)) + "\r\n").encode(encoding)


def workbook(rows: list[list], *, dimension: str | None = None) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (a header first); ``dimension`` overrides the declared range."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    if dimension is None:
        return content
    return rewrite(content, "xl/worksheets/sheet1.xml", lambda xml: _dimension(xml, dimension))


def _dimension(xml: bytes, ref: str) -> bytes:
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start)
    return xml[:start] + f'<dimension ref="{ref}"'.encode() + xml[end:]


def rewrite(content: bytes, member: str, change) -> bytes:
    """The same zip archive with one member's bytes changed by ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


XLSX_HEADER = [
    "订单号",
    "订单状态",
    "客户姓名",
    "联系电话",
    "省",
    "市",
    "县",
    "客户地址",
    "商家SKU",
    "订购数量",
    "京东价",
    "下单时间",
]
XLSX_PLACED = datetime(2026, 3, 3, 9, 30)
