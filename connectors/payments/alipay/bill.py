"""Alipay's trade bill ("业务明细"), as ``alipay.data.dataservice.bill.downloadurl.query`` hands it out.

The download URL answers a ZIP (``<pid>_<yyyymmdd>.csv.zip``) holding two GBK-encoded CSV files
whose names are GBK bytes too (no UTF-8 flag): ``<pid>_<yyyymmdd>_业务明细.csv`` (one line per
trade or refund) and ``<pid>_<yyyymmdd>_业务明细(汇总).csv`` (totals per store). The detail file:

    #支付宝业务明细查询
    #账号：[<pid>]
    #起始日期：[2024年05月01日 00:00:00]   终止日期：[2024年05月02日 00:00:00]
    #-----------------------------------------业务明细列表----------------------------------------
    支付宝交易号,商户订单号,业务类型,…,订单金额（元）,商家实收（元）,…,退款批次号/请求号,服务费（元）,分润（元）,备注
    2024050122001…\t,OF2405010000000001-1\t,交易\t,…
    #-----------------------------------------业务明细列表结束------------------------------------
    #交易合计：2笔，商家实收共300.00元，商家优惠共0.00元
    #退款合计：1笔，商家实收退款共-50.00元，商家优惠退款共0.00元
    #导出时间：[2024年05月02日 09:08:12]

Every cell is followed by a tab (so spreadsheets keep long numbers as text). A refund line has
业务类型 退款, its request number in 退款批次号/请求号 and a negative 商家实收. ``bill_parse`` reads
that file and checks its lines against the footer's counts; ``bill_build`` writes one (the sandbox).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
COLUMNS = (
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号", "门店名称", "操作员",
    "终端号", "对方账户", "订单金额（元）", "商家实收（元）", "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）",
    "商家优惠（元）", "券核销金额（元）", "券名称", "商家红包消费金额（元）", "卡消费金额（元）", "退款批次号/请求号",
    "服务费（元）", "分润（元）", "备注",
)  # fmt: skip
SUMMARY_COLUMNS = (
    "门店编号", "门店名称", "交易订单总笔数", "退款订单总笔数", "订单金额（元）", "商家实收（元）", "支付宝优惠（元）",
    "商家优惠（元）", "卡消费金额（元）", "服务费（元）", "分润（元）", "实收净额（元）",
)  # fmt: skip
DETAIL_SUFFIX = "_业务明细.csv"
SUMMARY_SUFFIX = "_业务明细(汇总).csv"
RULE = "-----------------------------------------"
TRADE = "交易"
REFUND = "退款"
TRADE_TOTAL = re.compile(r"#交易合计：(\d+)笔，商家实收共(-?[0-9.]+)元")
REFUND_TOTAL = re.compile(r"#退款合计：(\d+)笔，商家实收退款共(-?[0-9.]+)元")


class BillMalformed(ValueError):
    """The file is not an Alipay trade bill, or its lines disagree with its own totals."""


@dataclass(frozen=True)
class AlipayBillRow:
    trade_no: str
    out_trade_no: str
    kind: str  # 交易 or 退款
    subject: str
    created: str  # 2024-05-01 10:00:00, Beijing time
    finished: str
    amount: Decimal  # 订单金额
    received: Decimal  # 商家实收 (negative for a refund)
    out_request_no: str = ""
    memo: str = ""

    @property
    def finished_at(self) -> datetime | None:
        try:
            return datetime.strptime(self.finished, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
        except ValueError:
            return None


def _money(value: str, where: str) -> Decimal:
    try:
        amount = Decimal(value.strip() or "0")
    except InvalidOperation:
        raise BillMalformed(f"{where}: {value!r} is not an amount") from None
    if not amount.is_finite():
        raise BillMalformed(f"{where}: {value!r} is not an amount")
    return amount.quantize(Decimal("0.01"))


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as Alipay wrote it: GBK bytes without the UTF-8 flag (read back as cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def bill_parse(data: bytes) -> tuple[list[AlipayBillRow], dict]:
    """The detail lines and the totals of a downloaded bill ZIP."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BillMalformed("the download is not a ZIP file") from None
    with archive:
        details = [info for info in archive.infolist() if _entry_name(info).endswith(DETAIL_SUFFIX)]
        if len(details) != 1:
            raise BillMalformed("the ZIP holds no 业务明细 file")
        try:
            text = archive.read(details[0]).decode("gbk")
        except UnicodeDecodeError:
            raise BillMalformed("the 业务明细 file is not GBK text") from None
    return detail_parse(text)


def detail_parse(text: str) -> tuple[list[AlipayBillRow], dict]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "业务明细列表" in line and "结束" not in line), None)
    if start is None or start + 1 >= len(lines):
        raise BillMalformed("no 业务明细列表 in the file")
    header = [cell.strip() for cell in next(csv.reader([lines[start + 1]]))]
    missing = [
        name
        for name in ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）", "商家实收（元）")
        if name not in header
    ]
    if missing:
        raise BillMalformed(f"the header lacks {', '.join(missing)}")
    column = {name: header.index(name) for name in header}
    rows: list[AlipayBillRow] = []
    end = next((i for i in range(start + 2, len(lines)) if lines[i].startswith("#")), len(lines))
    body = [(number, line) for number, line in enumerate(lines[start + 2 : end], start=start + 3) if line.strip()]
    for (number, _line), raw in zip(body, csv.reader(line for _n, line in body), strict=True):
        cells = [cell.strip() for cell in raw]
        if len(cells) < len(header):
            raise BillMalformed(f"line {number} has {len(cells)} cells, the header {len(header)}")

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[column[name]] if name in column else ""

        rows.append(
            AlipayBillRow(
                trade_no=cell("支付宝交易号"),
                out_trade_no=cell("商户订单号"),
                kind=cell("业务类型"),
                subject=cell("商品名称"),
                created=cell("创建时间"),
                finished=cell("完成时间"),
                amount=_money(cell("订单金额（元）"), f"line {number}"),
                received=_money(cell("商家实收（元）"), f"line {number}"),
                out_request_no=cell("退款批次号/请求号"),
                memo=cell("备注"),
            )
        )
    footer = "\n".join(lines[end:])
    trades, refunds = TRADE_TOTAL.search(footer), REFUND_TOTAL.search(footer)
    if trades is None or refunds is None:
        raise BillMalformed("the bill has no 交易合计/退款合计 totals")
    summary = {
        "trades": int(trades.group(1)),
        "trades_received": trades.group(2),
        "refunds": int(refunds.group(1)),
        "refunds_received": refunds.group(2),
    }
    counted = (sum(r.kind == TRADE for r in rows), sum(r.kind == REFUND for r in rows))
    if counted != (summary["trades"], summary["refunds"]):
        raise BillMalformed(f"the bill lists {counted[0]} trades and {counted[1]} refunds, its totals say "
                            f"{summary['trades']} and {summary['refunds']}")  # fmt: skip
    received = sum((r.received for r in rows if r.kind == TRADE), Decimal("0"))
    if received != _money(str(summary["trades_received"]), "交易合计"):
        raise BillMalformed(f"the trades add up to {received}, the bill's total says {summary['trades_received']}")
    return rows, summary


# --- writing (the sandbox) ----------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日 %H:%M:%S")


def _row(cells: list[str]) -> str:
    return ",".join(f"{cell}\t" for cell in cells)


def _heading(title: str, pid: str, day: date) -> list[str]:
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    return [
        f"#支付宝{title}查询",
        f"#账号：[{pid}]",
        f"#起始日期：[{_stamp(start)}]   终止日期：[{_stamp(start + timedelta(days=1))}]",
    ]


def detail_text(pid: str, day: date, rows: list[AlipayBillRow], *, exported: datetime) -> str:
    lines = [*_heading("业务明细", pid, day), f"#{RULE}业务明细列表{RULE[:-1]}", ",".join(COLUMNS)]
    for r in rows:
        cells = [""] * len(COLUMNS)
        cells[0], cells[1], cells[2], cells[3] = r.trade_no, r.out_trade_no, r.kind, r.subject
        cells[4], cells[5], cells[10] = r.created, r.finished, "buy***@example.com"
        cells[11], cells[12] = f"{r.amount:.2f}", f"{r.received:.2f}"
        for i in (13, 14, 15, 16, 17, 19, 20, 22, 23):
            cells[i] = "0.00"
        cells[21], cells[24] = r.out_request_no, r.memo
        lines.append(_row(cells))
    trades = [r for r in rows if r.kind == TRADE]
    refunds = [r for r in rows if r.kind == REFUND]
    lines += [
        f"#{RULE}业务明细列表结束{RULE[:-5]}",
        f"#交易合计：{len(trades)}笔，商家实收共{sum((r.received for r in trades), Decimal('0')):.2f}元，"
        "商家优惠共0.00元",
        f"#退款合计：{len(refunds)}笔，商家实收退款共{sum((r.received for r in refunds), Decimal('0')):.2f}元，"
        "商家优惠退款共0.00元",
        f"#导出时间：[{_stamp(exported)}]",
    ]
    return "\r\n".join(lines) + "\r\n"


def summary_text(pid: str, day: date, rows: list[AlipayBillRow], *, exported: datetime) -> str:
    trades = [r for r in rows if r.kind == TRADE]
    refunds = [r for r in rows if r.kind == REFUND]
    amount = sum((r.amount for r in trades), Decimal("0"))
    received = sum((r.received for r in rows), Decimal("0"))
    values = ["", "", str(len(trades)), str(len(refunds)), f"{amount:.2f}", f"{received:.2f}", "0.00", "0.00",
              "0.00", "0.00", "0.00", f"{received:.2f}"]  # fmt: skip
    lines = [
        *_heading("业务汇总", pid, day),
        f"#{RULE}业务汇总列表{RULE[:-1]}",
        ",".join(SUMMARY_COLUMNS),
        _row(values),
        f"#{RULE}业务汇总列表结束{RULE[:-5]}",
        f"#导出时间：[{_stamp(exported)}]",
    ]
    return "\r\n".join(lines) + "\r\n"


def zip_gbk(files: dict[str, bytes]) -> bytes:
    """A ZIP whose entry names are GBK bytes without the UTF-8 flag, as Alipay's are. ``zipfile``
    writes non-ASCII names as flagged UTF-8 only, so each is written under an ASCII stand-in of
    the same byte length, swapped for the GBK bytes afterwards (names are outside the CRCs)."""
    out = io.BytesIO()
    swaps: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (name, content) in enumerate(files.items()):
            raw = name.encode("gbk")
            stand_in = (f"~{n}~" + "~" * len(raw))[: len(raw)].encode()
            swaps.append((stand_in, raw))
            archive.writestr(stand_in.decode(), content)
    data = out.getvalue()
    for stand_in, raw in swaps:
        data = data.replace(stand_in, raw)
    return data


def bill_build(pid: str, day: date, rows: list[AlipayBillRow], *, exported: datetime) -> tuple[str, bytes]:
    """The ZIP's file name and bytes for ``rows`` of ``day``."""
    stem = f"{pid}_{day:%Y%m%d}"
    files = {
        stem + DETAIL_SUFFIX: detail_text(pid, day, rows, exported=exported).encode("gbk"),
        stem + SUMMARY_SUFFIX: summary_text(pid, day, rows, exported=exported).encode("gbk"),
    }
    return f"{stem}.csv.zip", zip_gbk(files)
