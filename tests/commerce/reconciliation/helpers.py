"""Orders paid through a gateway on a chosen day, and crafted bill lines for them."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from commerce.payments.services import payment_attempt_create, payment_confirm
from commerce.reconciliation import categories as c
from commerce.reconciliation.sources import BillFetch, BillLineInput
from tests.factories import TEST_ACTOR, create_order

CHINA = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)


def at(day: date = DAY, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CHINA)


def paid_order(channel, external_id: str, *, gateway: str = "alipay", paid_at: datetime | None = None):
    """An order of 199.00 paid through ``gateway`` at ``paid_at`` (10:00 on DAY by default)."""
    order = create_order(channel, external_id=external_id, lines=(("TEA-001", 1),))
    payment = payment_attempt_create(order_id=order.pk, gateway=gateway, actor=TEST_ACTOR)
    payment_confirm(
        out_trade_no=payment.out_trade_no,
        gateway_trade_no=f"T{payment.pk:08d}",
        amount=payment.amount,
        paid_at=paid_at or at(),
        actor=TEST_ACTOR,
        source="tests",
    )
    payment.refresh_from_db()
    order.refresh_from_db()
    return order, payment


def pending_order(channel, external_id: str, *, gateway: str = "alipay"):
    order = create_order(channel, external_id=external_id, lines=(("TEA-001", 1),))
    return order, payment_attempt_create(order_id=order.pk, gateway=gateway, actor=TEST_ACTOR)


def pay_line(out_trade_no: str, amount, *, gateway="alipay", trade_no="", memo="", currency="CNY", when=None):
    return BillLineInput(
        gateway=gateway,
        kind=c.PAYMENT,
        out_trade_no=out_trade_no,
        amount=Decimal(str(amount)),
        trade_no=trade_no or f"TRADE-{out_trade_no}",
        currency=currency,
        memo=memo,
        occurred_at=when or at(),
    )


def refund_line(out_trade_no: str, out_request_no: str, amount, *, gateway="alipay"):
    return BillLineInput(
        gateway=gateway,
        kind=c.REFUND,
        out_trade_no=out_trade_no,
        amount=Decimal(str(amount)),
        trade_no=f"TRADE-{out_trade_no}",
        out_request_no=out_request_no,
        occurred_at=at(hour=15),
    )


def bills(*lines: BillLineInput, gateways=("alipay", "wechatpay")) -> list[BillFetch]:
    return [BillFetch(g, None, lines=tuple(line for line in lines if line.gateway == g)) for g in gateways]


def day_after(day: date) -> date:
    return day + timedelta(days=1)


def manual_channel():
    from tests.factories import ChannelFactory

    return ChannelFactory(code="manual", name="手工单", kind="manual")


def offline_order(manual, external_id: str, *, paid_at: datetime | None = None):
    """A manual order of 199.00 marked paid (bank transfer) at ``paid_at`` (10:00 on DAY by default)."""
    return create_order(
        manual, external_id=external_id, lines=(("TEA-001", 1),), status="paid", paid_at=paid_at or at()
    )


def statement_csv(*rows: str, header: str = "date,amount,currency,reference,memo,payer,serial") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()
