"""A day's differences as CSV (UTF-8 with BOM, as spreadsheet programs in China expect) and as a
minimal Office Open XML workbook (.xlsx) written with ``zipfile``: one sheet, inline strings, no
styles — what Excel, WPS and LibreOffice open."""

from __future__ import annotations

import csv
import io
import zipfile
from xml.sax.saxutils import escape

HEADERS = {
    "zh": ["日期", "类别", "状态", "订单号", "支付渠道", "商户交易号", "应收金额", "实收金额", "币种", "处理说明",
           "处理人"],
    "en": ["Day", "Category", "Status", "Order", "Gateway", "Trade no", "Expected", "Actual", "Currency",
           "Resolution", "Resolved by"],
}  # fmt: skip
STATUS_LABELS = {
    "open": {"zh": "待处理", "en": "Open"},
    "resolved": {"zh": "已处理", "en": "Resolved"},
    "cleared": {"zh": "已消除", "en": "Cleared"},
}


def rows(differences: list[dict], language: str) -> list[list[str]]:
    language = "zh" if language == "zh" else "en"
    table = [HEADERS[language]]
    for d in differences:
        table.append(
            [
                d["day"],
                d["category_label"][language],
                STATUS_LABELS[d["status"]][language],
                d["order_number"],
                d["gateway"],
                d["out_trade_no"],
                d["expected_amount"] or "",
                d["actual_amount"] or "",
                d["currency"],
                d["resolution"],
                d["resolved_by"],
            ]
        )
    return table


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not _number(cell) else cell


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_bytes(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table:
        writer.writerow([_safe(str(cell)) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: str, *, numeric: bool) -> str:
    if numeric:
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


NUMERIC_COLUMNS = (6, 7)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx_bytes(table: list[list[str]], *, sheet: str) -> bytes:
    sheet_rows = []
    for r, row in enumerate(table, start=1):
        cells = "".join(
            _cell(f"{_column(i)}{r}", str(v), numeric=r > 1 and i in NUMERIC_COLUMNS and _number(str(v)))
            for i, v in enumerate(row)
        )
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    worksheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(sheet_rows)}</sheetData></worksheet>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", worksheet)
    return out.getvalue()
