"""Matching a day's orders, payments, refunds and shipments against the gateways' bills.

Pure: it takes facts (read by ``services`` from the database and the bills) and answers the
differences, each with a key that names it the same way on every run. Nothing here reads or writes
the database, so the rules can be tested on crafted bills alone.

Keys. A bill payment line finds its order by its merchant trade number (``out_trade_no``, the
payment attempt Orderflow made: ``<order number>-<attempt>``), else by a fuzzy key: an order
number (``OF`` + 16 digits) in the trade number or in the line's memo (Alipay's 备注, WeChat Pay's
商户数据包), as when a payment was taken outside Orderflow's own attempt. Amounts match when they
differ by at most ``tolerance`` (0.50 by default: 0.50 apart matches, 0.51 does not) in the same
currency.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import categories as c
from .sources import BillLineInput

ORDER_NUMBER = re.compile(r"OF\d{16}")


@dataclass(frozen=True, slots=True)
class OrderFact:
    order_id: int
    number: str
    total_amount: Decimal
    currency: str
    paid: bool  # the order's money counts as taken (paid_at set)


@dataclass(frozen=True, slots=True)
class PaymentFact:
    out_trade_no: str
    order_id: int
    gateway: str
    amount: Decimal
    currency: str
    money_taken: bool
    paid_day: date | None  # the Asia/Shanghai day Orderflow confirmed it, if it did


@dataclass(frozen=True, slots=True)
class RefundFact:
    out_request_no: str
    out_trade_no: str
    amount: Decimal


@dataclass(frozen=True)
class Found:
    key: str
    category: str
    order_id: int | None = None
    order_number: str = ""
    gateway: str = ""
    out_trade_no: str = ""
    expected_amount: Decimal | None = None
    actual_amount: Decimal | None = None
    currency: str = "CNY"
    detail: dict = field(default_factory=dict)


@dataclass
class Facts:
    """What the day's run knows. ``payments`` holds every payment a bill line names and every one
    Orderflow confirmed on the day; ``orders`` the orders of those payments and of the fuzzy keys."""

    day: date
    tolerance: Decimal
    bill_lines: list[BillLineInput]
    payments: dict[str, PaymentFact]
    orders: dict[int, OrderFact]
    orders_by_number: dict[str, OrderFact]
    refunds: dict[str, RefundFact]  # Orderflow's gateway refunds that succeeded, by out_request_no
    billed_other_days: dict[str, date]  # out_trade_no → the other day whose bill has it
    unsettled_shipments: list[OrderFact]  # orders shipped on the day with no money taken
    fetched_gateways: frozenset[str]


@dataclass
class Result:
    found: list[Found]
    checked: int
    totals: dict


def fuzzy_order(line: BillLineInput, orders_by_number: dict[str, OrderFact]) -> OrderFact | None:
    """The order an unknown trade names: an order number in its trade number, else in its memo."""
    for text in (line.out_trade_no, line.memo):
        for number in ORDER_NUMBER.findall(text or ""):
            order = orders_by_number.get(number)
            if order is not None:
                return order
    return None


def fuzzy_numbers(lines: list[BillLineInput], known: set[str]) -> set[str]:
    """The order numbers the unknown trades' numbers and memos mention (to be looked up)."""
    numbers: set[str] = set()
    for line in lines:
        if line.kind == c.PAYMENT and line.out_trade_no not in known:
            numbers.update(ORDER_NUMBER.findall(line.out_trade_no))
            numbers.update(ORDER_NUMBER.findall(line.memo))
    return numbers


def _differs(expected: Decimal, actual: Decimal, tolerance: Decimal) -> bool:
    return abs(expected - actual) > tolerance


def differences_find(facts: Facts) -> Result:
    found: list[Found] = []
    by_order: dict[int, list[tuple[BillLineInput, PaymentFact | None]]] = defaultdict(list)
    billed_today: set[str] = set()
    sums = {"bill_payments": Decimal("0"), "bill_refunds": Decimal("0")}
    counts = {"bill_payments": 0, "bill_refunds": 0}

    for line in facts.bill_lines:
        if line.kind == c.REFUND:
            counts["bill_refunds"] += 1
            sums["bill_refunds"] += line.amount
            found.extend(_refund_line(line, facts))
            continue
        counts["bill_payments"] += 1
        sums["bill_payments"] += line.amount
        billed_today.add(line.out_trade_no)
        payment = facts.payments.get(line.out_trade_no)
        order = facts.orders.get(payment.order_id) if payment is not None else fuzzy_order(line, facts.orders_by_number)
        if order is None:
            found.append(
                Found(
                    key=f"{c.MISSING_ORDER}:{line.gateway}:{line.trade_no or line.out_trade_no}",
                    category=c.MISSING_ORDER,
                    gateway=line.gateway,
                    out_trade_no=line.out_trade_no,
                    actual_amount=line.amount,
                    currency=line.currency,
                    detail={"trade_no": line.trade_no, "memo": line.memo[:200]},
                )
            )
            continue
        by_order[order.order_id].append((line, payment))

    for order_id, lines in by_order.items():
        order = facts.orders[order_id]
        found.extend(_order_lines(order, lines, facts))

    payments_of_day = 0
    for payment in facts.payments.values():
        if not (payment.money_taken and payment.paid_day == facts.day):
            continue
        payments_of_day += 1
        if payment.gateway not in facts.fetched_gateways or payment.out_trade_no in billed_today:
            continue
        order = facts.orders.get(payment.order_id)
        other_day = facts.billed_other_days.get(payment.out_trade_no)
        common: dict[str, Any] = {
            "order_id": payment.order_id,
            "order_number": order.number if order else "",
            "gateway": payment.gateway,
            "out_trade_no": payment.out_trade_no,
            "expected_amount": payment.amount,
            "currency": payment.currency,
        }
        if other_day is not None:
            found.append(
                Found(
                    key=f"{c.CROSS_PERIOD}:{payment.out_trade_no}",
                    category=c.CROSS_PERIOD,
                    detail={"orderflow_day": facts.day.isoformat(), "bill_day": other_day.isoformat()},
                    **common,
                )
            )
        else:
            found.append(Found(key=f"{c.MISSING_PAYMENT}:{payment.out_trade_no}", category=c.MISSING_PAYMENT, **common))

    for order in facts.unsettled_shipments:
        found.append(
            Found(
                key=f"{c.UNSETTLED}:shipped:{order.number}",
                category=c.UNSETTLED,
                order_id=order.order_id,
                order_number=order.number,
                expected_amount=order.total_amount,
                currency=order.currency,
                detail={"reason": "shipped_without_payment"},
            )
        )

    checked = len(billed_today | {p.out_trade_no for p in facts.payments.values() if p.paid_day == facts.day})
    checked += counts["bill_refunds"] + len(facts.unsettled_shipments)
    totals = {
        "bill_payments": counts["bill_payments"],
        "bill_payments_amount": f"{sums['bill_payments']:.2f}",
        "bill_refunds": counts["bill_refunds"],
        "bill_refunds_amount": f"{sums['bill_refunds']:.2f}",
        "orderflow_payments": payments_of_day,
        "unsettled_shipments": len(facts.unsettled_shipments),
    }
    return Result(found=found, checked=checked, totals=totals)


def _order_lines(order: OrderFact, lines: list[tuple[BillLineInput, PaymentFact | None]], facts: Facts) -> list[Found]:
    found: list[Found] = []
    first, payment = lines[0]
    base: dict[str, Any] = {"order_id": order.order_id, "order_number": order.number, "gateway": first.gateway}
    if len({line.trade_no or line.out_trade_no for line, _ in lines}) > 1:
        paid = sum((line.amount for line, _ in lines), Decimal("0"))
        found.append(
            Found(
                key=f"{c.DUPLICATE_PAYMENT}:{order.number}",
                category=c.DUPLICATE_PAYMENT,
                out_trade_no=first.out_trade_no,
                expected_amount=order.total_amount,
                actual_amount=paid,
                currency=order.currency,
                detail={"trades": sorted(line.trade_no or line.out_trade_no for line, _ in lines)},
                **base,
            )
        )
        return found
    if payment is not None and not payment.money_taken and not order.paid:
        found.append(
            Found(
                key=f"{c.UNSETTLED}:{first.out_trade_no}",
                category=c.UNSETTLED,
                out_trade_no=first.out_trade_no,
                expected_amount=order.total_amount,
                actual_amount=first.amount,
                currency=first.currency,
                detail={"reason": "billed_but_not_confirmed"},
                **base,
            )
        )
        return found
    if first.currency != order.currency or _differs(order.total_amount, first.amount, facts.tolerance):
        found.append(
            Found(
                key=f"{c.AMOUNT_MISMATCH}:{first.out_trade_no}",
                category=c.AMOUNT_MISMATCH,
                out_trade_no=first.out_trade_no,
                expected_amount=order.total_amount,
                actual_amount=first.amount,
                currency=first.currency,
                detail={
                    "difference": f"{first.amount - order.total_amount:.2f}",
                    "order_currency": order.currency,
                    "matched_by": "trade_no" if payment is not None else "order_number",
                },
                **base,
            )
        )
    if payment is not None and payment.paid_day is not None and payment.paid_day != facts.day:
        found.append(
            Found(
                key=f"{c.CROSS_PERIOD}:{first.out_trade_no}",
                category=c.CROSS_PERIOD,
                out_trade_no=first.out_trade_no,
                expected_amount=payment.amount,
                actual_amount=first.amount,
                currency=first.currency,
                detail={"orderflow_day": payment.paid_day.isoformat(), "bill_day": facts.day.isoformat()},
                **base,
            )
        )
    return found


def _refund_line(line: BillLineInput, facts: Facts) -> list[Found]:
    refund = facts.refunds.get(line.out_request_no) if line.out_request_no else None
    payment = facts.payments.get(line.out_trade_no)
    order = facts.orders.get(payment.order_id) if payment is not None else None
    base: dict[str, Any] = {
        "order_id": order.order_id if order else None,
        "order_number": order.number if order else "",
        "gateway": line.gateway,
        "out_trade_no": line.out_trade_no,
        "actual_amount": line.amount,
        "currency": line.currency,
    }
    if refund is None:
        return [
            Found(
                key=f"{c.REFUNDED_NOT_OFFSET}:{line.gateway}:{line.out_request_no or line.trade_no}",
                category=c.REFUNDED_NOT_OFFSET,
                detail={"out_request_no": line.out_request_no, "trade_no": line.trade_no},
                **base,
            )
        ]
    if _differs(refund.amount, line.amount, facts.tolerance):
        return [
            Found(
                key=f"{c.AMOUNT_MISMATCH}:refund:{line.out_request_no}",
                category=c.AMOUNT_MISMATCH,
                expected_amount=refund.amount,
                detail={"out_request_no": line.out_request_no, "difference": f"{line.amount - refund.amount:.2f}"},
                **base,
            )
        ]
    return []
