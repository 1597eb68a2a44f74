"""WeChat Pay's trade bill (交易账单, ``GET /v3/bill/tradebill?bill_date=…&bill_type=ALL``).

The application answers (signed, like every API answer) ``{"hash_type": "SHA1", "hash_value",
"download_url"}``; the file at ``download_url`` (``/v3/billdownload/file?token=…``, requested with
the merchant's signature, answered unsigned) must hash to ``hash_value``. It is UTF-8 text:

    交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,
    应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,
    手续费,费率,订单金额,申请退款金额,费率备注
    `2024-05-01 10:00:00,`wxd678efh567hg6787,`1900000100,`0,`,`4200…,`OF…-1,`oUp…,`NATIVE,`SUCCESS,…
    总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
    `2,`100.00,`30.00,`0.00,`0.60000,`100.00,`30.00

Every value carries a leading backtick (so spreadsheets keep long numbers as text). A refund line
has 交易状态 ``REFUND``, 应结订单金额 0.00 and its 商户退款单号/退款金额. ``bill_parse`` checks the
lines against the summary line; ``bill_build`` writes a file (the sandbox).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
COLUMNS = (
    "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型",
    "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额",
    "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额", "申请退款金额",
    "费率备注",
)  # fmt: skip
SUMMARY_COLUMNS = (
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
)
SUCCESS = "SUCCESS"
REFUND = "REFUND"


class BillMalformed(ValueError):
    """The file is not a WeChat Pay trade bill, or its lines disagree with its summary."""


@dataclass(frozen=True)
class WechatBillRow:
    at: str  # 2024-05-01 10:00:00, Beijing time
    transaction_id: str
    out_trade_no: str
    state: str  # SUCCESS, REFUND, REVOKED, …
    currency: str
    settled: Decimal  # 应结订单金额
    total: Decimal  # 订单金额
    refund_id: str = ""
    out_refund_no: str = ""
    refund: Decimal = Decimal("0.00")  # 退款金额
    refund_asked: Decimal = Decimal("0.00")  # 申请退款金额
    refund_status: str = ""
    subject: str = ""
    attach: str = ""  # 商户数据包: the merchant's own memo
    fee: str = "0.00000"

    @property
    def occurred_at(self) -> datetime | None:
        try:
            return datetime.strptime(self.at, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
        except ValueError:
            return None


def _value(cell: str) -> str:
    cell = cell.strip()
    return cell[1:] if cell.startswith("`") else cell


CENT = Decimal("0.01")


def _money(value: str, where: str) -> Decimal:
    try:
        amount = Decimal(value or "0")
    except InvalidOperation:
        raise BillMalformed(f"{where}: {value!r} is not an amount") from None
    if not amount.is_finite():
        raise BillMalformed(f"{where}: {value!r} is not an amount")
    return amount if amount.as_tuple().exponent == -2 else amount.quantize(CENT)


def bill_parse(data: bytes) -> tuple[list[WechatBillRow], dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BillMalformed("the bill is not UTF-8 text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BillMalformed("the bill is empty")
    header = [_value(cell) for cell in next(csv.reader([lines[0]]))]
    missing = [
        n for n in ("微信订单号", "商户订单号", "交易状态", "货币种类", "订单金额", "商户退款单号") if n not in header
    ]
    if missing:
        raise BillMalformed(f"the header lacks {', '.join(missing)}")
    column = {name: i for i, name in enumerate(header)}
    try:
        end = next(i for i, line in enumerate(lines) if line.startswith(SUMMARY_COLUMNS[0]))
    except StopIteration:
        raise BillMalformed("the bill has no summary (总交易单数) line") from None
    rows: list[WechatBillRow] = []
    for number, raw in enumerate(csv.reader(lines[1:end]), start=2):
        cells = [_value(cell) for cell in raw]
        if len(cells) < len(header):
            raise BillMalformed(f"line {number} has {len(cells)} cells, the header {len(header)}")

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[column[name]] if name in column else ""

        where = f"line {number}"
        rows.append(
            WechatBillRow(
                at=cell("交易时间"),
                transaction_id=cell("微信订单号"),
                out_trade_no=cell("商户订单号"),
                state=cell("交易状态"),
                currency=cell("货币种类") or "CNY",
                settled=_money(cell("应结订单金额"), where),
                total=_money(cell("订单金额"), where),
                refund_id=cell("微信退款单号") if cell("微信退款单号") != "0" else "",
                out_refund_no=cell("商户退款单号") if cell("商户退款单号") != "0" else "",
                refund=_money(cell("退款金额"), where),
                refund_asked=_money(cell("申请退款金额"), where),
                refund_status=cell("退款状态"),
                subject=cell("商品名称"),
                attach=cell("商户数据包"),
                fee=cell("手续费"),
            )
        )
    if end + 1 >= len(lines):
        raise BillMalformed("the summary line has no values")
    names = [_value(cell) for cell in next(csv.reader([lines[end]]))]
    values = [_value(cell) for cell in next(csv.reader([lines[end + 1]]))]
    summary = dict(zip(names, values, strict=False))
    try:
        count = int(summary.get("总交易单数", ""))
    except ValueError:
        raise BillMalformed("the summary's 总交易单数 is not a number") from None
    if count != len(rows):
        raise BillMalformed(f"the bill lists {len(rows)} lines, its summary says {count}")
    settled = sum((r.settled for r in rows), Decimal("0"))
    if settled != _money(summary.get("应结订单总金额", ""), "summary"):
        raise BillMalformed(f"the lines settle {settled}, the summary says {summary.get('应结订单总金额')}")
    refunded = sum((r.refund for r in rows), Decimal("0"))
    if refunded != _money(summary.get("退款总金额", ""), "summary"):
        raise BillMalformed(f"the lines refund {refunded}, the summary says {summary.get('退款总金额')}")
    return rows, summary


def _line(values: list[str]) -> str:
    return ",".join(f"`{value}" for value in values)


def bill_build(rows: list[WechatBillRow], *, appid: str, mchid: str) -> bytes:
    lines = [",".join(COLUMNS)]
    for r in rows:
        refund = r.state == REFUND
        lines.append(
            _line(
                [
                    r.at, appid, mchid, "0", "", r.transaction_id, r.out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                    "NATIVE", r.state, "OTHERS", r.currency, f"{r.settled:.2f}", "0.00",
                    r.refund_id or "0", r.out_refund_no or "0", f"{r.refund:.2f}", "0.00",
                    "ORIGINAL" if refund else "", r.refund_status, r.subject, r.attach, r.fee, "0.60%",
                    f"{r.total:.2f}", f"{r.refund_asked:.2f}", "",
                ]
            )
        )  # fmt: skip
    settled = sum((r.settled for r in rows), Decimal("0"))
    refunded = sum((r.refund for r in rows), Decimal("0"))
    fees = sum((Decimal(r.fee) for r in rows), Decimal("0"))
    total = sum((r.total for r in rows if r.state != REFUND), Decimal("0"))
    asked = sum((r.refund_asked for r in rows), Decimal("0"))
    lines.append(",".join(SUMMARY_COLUMNS))
    lines.append(_line([str(len(rows)), f"{settled:.2f}", f"{refunded:.2f}", "0.00", f"{fees:.5f}", f"{total:.2f}",
                        f"{asked:.2f}"]))  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
