"""Reading order files: encodings, Excel's wrappers, and workbooks that are forged, damaged or too large."""

import io
import zipfile

import pytest

from connectors.imports import parse
from connectors.imports.errors import OrderImportInvalid, OrderImportTooLarge
from connectors.imports.parse import clean, file_shape, rows_open

from .conftest import XLSX_HEADER, rewrite, workbook

HEADER = "订单号,订单状态,商家SKU\r\n"


def _cells(content: bytes, name: str = "orders.csv") -> list[tuple[int, tuple[str, ...]]]:
    return [(row.number, row.cells) for row in rows_open(content, name).data()]


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ((HEADER + "JD1,等待出库,TEA-0001\r\n").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + (HEADER + "JD1,等待出库,TEA-0001\r\n").encode("utf-8"), "utf-8"),
        ((HEADER + "JD1,等待出库,TEA-0001\r\n").encode("gbk"), "gbk"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk"],
)
def test_utf8_with_or_without_bom_and_gbk_read_the_same(content, encoding):
    shape = file_shape(content, "orders.csv")

    assert (shape.file_format, shape.encoding, shape.header, shape.rows) == (
        "csv",
        encoding,
        ("订单号", "订单状态", "商家SKU"),
        1,
    )
    assert _cells(content) == [(2, ("JD1", "等待出库", "TEA-0001"))]


def test_cells_lose_whitespace_and_excels_wrapper_and_blank_rows_are_skipped():
    content = (HEADER + '="301234567890",\t等待出库\u3000, TEA-0001 \r\n,,\r\n\r\nJD2,完成,"TEA-0002"\r\n').encode()

    assert _cells(content) == [(2, ("301234567890", "等待出库", "TEA-0001")), (5, ("JD2", "完成", "TEA-0002"))]


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.0, "2"), (368.5, "368.5"), (301234567890, "301234567890"), (None, ""), (True, "TRUE"), (" x ", "x")],
)
def test_a_cell_value_becomes_its_text(value, text):
    assert clean(value) == text


def test_a_quote_left_open_is_refused_rather_than_swallowing_the_rest():
    content = (HEADER + 'JD1,"等待出库,TEA-0001\r\nJD2,完成,TEA-0002\r\n').encode()

    with pytest.raises(OrderImportInvalid) as refused:
        _cells(content)

    assert refused.value.details == {"rows[2]": "not valid CSV: unexpected end of data"}


def test_text_that_is_neither_utf8_nor_gbk_is_refused():
    content = HEADER.encode("gbk") + b"JD1,\xff\xff,TEA\r\n"

    with pytest.raises(OrderImportInvalid) as refused:
        file_shape(content, "orders.csv")

    assert refused.value.details == {"file": "neither UTF-8 nor GBK text (byte 29); save it as CSV in UTF-8"}


def _xlsx(rows: int = 2) -> bytes:
    return workbook([XLSX_HEADER, *[[f"X{n}", "完成"] for n in range(rows)]])


def test_an_xlsx_reads_its_first_sheet_and_counts_its_rows_when_read():
    content = _xlsx(3)

    shape = file_shape(content, "orders.xlsx")

    assert (shape.file_format, shape.encoding, shape.header, shape.rows) == ("xlsx", "", tuple(XLSX_HEADER), 0)
    assert [cells[:2] for _number, cells in _cells(content, "orders.xlsx")] == [
        ("X0", "完成"),
        ("X1", "完成"),
        ("X2", "完成"),
    ]


def test_an_xlsx_unpacking_to_more_than_the_limit_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(parse, "MAX_XLSX_UNPACKED_BYTES", 4096)

    with pytest.raises(OrderImportInvalid) as refused:
        file_shape(_xlsx(), "orders.xlsx")

    assert refused.value.details["file"].startswith("unpacks to 0 MB, more than the 0 MB an export of 50000 rows needs")


def test_an_xlsx_of_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(parse, "MAX_XLSX_MEMBERS", 5)

    with pytest.raises(OrderImportInvalid) as refused:
        file_shape(_xlsx(), "orders.xlsx")

    assert refused.value.details == {"file": "holds more than 5 parts; not an Excel export"}


def test_an_xlsx_with_xml_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    content = rewrite(_xlsx(), "xl/worksheets/sheet1.xml", lambda xml: bomb + xml.replace(b">X0<", b">&b;<"))

    with pytest.raises(OrderImportInvalid) as refused:
        _cells(content, "orders.xlsx")

    assert refused.value.details == {"file": "cannot be read as an Excel workbook (EntitiesForbidden); export it again"}


def test_an_xlsx_whose_part_fails_its_crc_is_refused():
    stored = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx(50))) as source, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    content = stored.getvalue().replace(b">X42<", b">Y42<")

    with pytest.raises(OrderImportInvalid) as refused:
        _cells(content, "orders.xlsx")

    assert refused.value.details == {"file": "cannot be read as an Excel workbook (BadZipFile); export it again"}


def test_an_xlsx_declaring_more_rows_than_allowed_answers_too_large(monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 2)

    with pytest.raises(OrderImportTooLarge) as refused:
        file_shape(workbook([XLSX_HEADER, ["X1"]], dimension="A1:L900"), "orders.xlsx")

    assert refused.value.details == {"file": "the sheet declares 900 rows, more than 2; split it", "max_rows": 2}


def test_an_xlsx_running_past_the_row_limit_is_too_large_when_read(monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 2)
    content = workbook([XLSX_HEADER, *[[f"X{n}"] for n in range(3)]], dimension="A1")

    with pytest.raises(OrderImportTooLarge) as refused:
        _cells(content, "orders.xlsx")

    assert refused.value.details == {
        "file": "more than 2 rows below the header (row 4 is one too many); split the file",
        "max_rows": 2,
    }


def test_an_xlsx_sheet_running_far_past_its_rows_is_too_large(monkeypatch):
    monkeypatch.setattr(parse, "MAX_ROWS", 2)
    content = workbook([XLSX_HEADER, *[[] for _blank in range(6)], ["X1"]], dimension="A1")

    with pytest.raises(OrderImportTooLarge) as refused:
        _cells(content, "orders.xlsx")

    assert refused.value.details == {"file": "the sheet runs past row 5; split it", "max_rows": 2}
