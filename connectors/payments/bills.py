"""The payment gateways' bills as a reconciliation bill source (``commerce.reconciliation.sources``).

For a day, each enabled Alipay and WeChat Pay connection's trade bill is fetched through its client
(signed requests, verified answers; a sandbox connection reaches its simulator, which builds the
bill in the provider's format from its own trades) and turned into bill lines. A connection whose
bill cannot be fetched answers its error instead: the day is then ``partial`` and that gateway's
payments are not judged missing.
"""

from __future__ import annotations

import logging
from datetime import date

from commerce.reconciliation import categories
from commerce.reconciliation.sources import BillFetch, BillLineInput, bill_source_register

from ..base import ProviderError
from ..models import Connection
from .alipay import bill as alipay_bill
from .gateway import gateway_client
from .wechatpay import bill as wechat_bill

logger = logging.getLogger(__name__)
GATEWAYS = ("alipay", "wechatpay")


def alipay_lines(rows: list[alipay_bill.AlipayBillRow], connection_id: int | None) -> tuple[BillLineInput, ...]:
    lines = []
    for row in rows:
        refund = row.kind == alipay_bill.REFUND
        if row.kind not in (alipay_bill.TRADE, alipay_bill.REFUND):
            continue
        lines.append(
            BillLineInput(
                gateway="alipay",
                kind=categories.REFUND if refund else categories.PAYMENT,
                out_trade_no=row.out_trade_no,
                trade_no=row.trade_no,
                out_request_no=row.out_request_no if refund else "",
                amount=abs(row.received) if refund else row.amount,
                currency="CNY",
                memo=row.memo[:256],
                occurred_at=row.finished_at,
                connection_id=connection_id,
            )
        )
    return tuple(lines)


def wechat_lines(rows: list[wechat_bill.WechatBillRow], connection_id: int | None) -> tuple[BillLineInput, ...]:
    lines = []
    for row in rows:
        if row.state == wechat_bill.REFUND:
            kind, amount, request_no = categories.REFUND, row.refund, row.out_refund_no
        elif row.state == wechat_bill.SUCCESS:
            kind, amount, request_no = categories.PAYMENT, row.total, ""
        else:  # REVOKED and the like moved no money
            continue
        lines.append(
            BillLineInput(
                gateway="wechatpay",
                kind=kind,
                out_trade_no=row.out_trade_no,
                trade_no=row.transaction_id,
                out_request_no=request_no,
                amount=amount,
                currency=row.currency,
                memo=row.attach[:256],
                occurred_at=row.occurred_at,
                connection_id=connection_id,
            )
        )
    return tuple(lines)


def gateway_bills(day: date) -> list[BillFetch]:
    fetched = []
    for connection in Connection.objects.filter(connector__in=GATEWAYS, enabled=True).order_by("id"):
        try:
            rows, summary = gateway_client(connection).bill(day)
        except ProviderError as exc:
            logger.info("the %s bill of %s could not be fetched: %s", connection.connector, day, exc.code)
            fetched.append(BillFetch(connection.connector, connection.pk, error=f"{exc.code}: {exc.message}"))
            continue
        lines = (
            alipay_lines(rows, connection.pk) if connection.connector == "alipay" else wechat_lines(rows, connection.pk)
        )
        fetched.append(BillFetch(connection.connector, connection.pk, lines=lines, summary=summary))
    return fetched


def register_bill_source() -> None:
    bill_source_register("payments", gateway_bills)
