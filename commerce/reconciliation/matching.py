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

Refunds. A bill refund line finds Orderflow's refund by its request number (Alipay's
退款批次号/请求号 ``out_request_no``, WeChat Pay's 商户退款单号 ``out_refund_no``): none is
``refunded_not_offset``, amounts apart by more than the tolerance ``amount_mismatch``. Each gateway
refund Orderflow saw succeed on the day that the day's bill does not show is
``refund_missing_in_bill`` (or ``cross_period`` when another day's bill shows it).

Offline money. Orders paid outside the gateways (a manual channel's order marked paid) are
confirmed by the bank / cash-on-delivery statements finance uploads for the day: a credit finds its
order by its reference (the order number, or one in it) or an order number in its memo. Without
any statement for the day such an order is ``unsettled`` (not yet confirmed); with one, an order it
does not show is ``missing_payment`` (``cross_period`` when a nearby day's statement shows it), a
credit that finds no order ``missing_order``, two credits (or a credit for an order a gateway
already took money for) ``duplicate_payment``, amounts apart ``amount_mismatch``.
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
    paid_day: date | None = None  # the Asia/Shanghai day of paid_at


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
    gateway: str = ""
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class StatementLineFact:
    statement: str  # kind:account
    row: int
    serial: str
    reference: str
    memo: str
    amount: Decimal
    currency: str = "CNY"

    @property
    def key(self) -> str:
        return f"{self.statement}:{self.serial or f'row{self.row}'}"


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
    refunds_of_day: list[RefundFact] = field(default_factory=list)  # gateway refunds that succeeded on the day
    refunds_billed_other_days: dict[str, date] = field(default_factory=dict)  # out_request_no → day
    statements_uploaded: bool = False  # any bank / COD statement for the day
    statement_lines: list[StatementLineFact] = field(default_factory=list)
    offline_orders: list[OrderFact] = field(default_factory=list)  # paid outside the gateways on the day
    offline_other_days: dict[str, date] = field(default_factory=dict)  # order number → a nearby statement's day
    gateway_paid_orders: frozenset[int] = frozenset()  # orders (named by statements) a gateway took money for


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


def statement_order(line: StatementLineFact, orders_by_number: dict[str, OrderFact]) -> OrderFact | None:
    """The order a statement credit names: its reference (the number itself, or one in it), else
    an order number in its memo."""
    exact = orders_by_number.get(line.reference.strip())
    if exact is not None:
        return exact
    for text in (line.reference, line.memo):
        for number in ORDER_NUMBER.findall(text or ""):
            order = orders_by_number.get(number)
            if order is not None:
                return order
    return None


def statement_numbers(lines: list[StatementLineFact]) -> set[str]:
    """The order numbers statement credits may name (to be looked up)."""
    numbers: set[str] = set()
    for line in lines:
        if line.reference.strip():
            numbers.add(line.reference.strip()[:32])
        numbers.update(ORDER_NUMBER.findall(line.reference))
        numbers.update(ORDER_NUMBER.findall(line.memo))
    return numbers


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

    billed_refunds: set[str] = set()
    for line in facts.bill_lines:
        if line.kind == c.REFUND:
            billed_refunds.add(line.out_request_no)
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

    refunds_judged = 0
    for refund in facts.refunds_of_day:
        if refund.gateway not in facts.fetched_gateways or refund.out_request_no in billed_refunds:
            continue
        refunds_judged += 1
        found.append(_refund_unbilled(refund, facts))

    offline = _offline(facts)
    found.extend(offline.found)

    checked = len(billed_today | {p.out_trade_no for p in facts.payments.values() if p.paid_day == facts.day})
    checked += counts["bill_refunds"] + refunds_judged + len(facts.unsettled_shipments) + offline.checked
    totals = {
        "bill_payments": counts["bill_payments"],
        "bill_payments_amount": f"{sums['bill_payments']:.2f}",
        "bill_refunds": counts["bill_refunds"],
        "bill_refunds_amount": f"{sums['bill_refunds']:.2f}",
        "orderflow_payments": payments_of_day,
        "unsettled_shipments": len(facts.unsettled_shipments),
        "orderflow_refunds": len(facts.refunds_of_day),
        "statements": facts.statements_uploaded,
        "statement_credits": len(facts.statement_lines),
        "statement_credits_amount": f"{sum((line.amount for line in facts.statement_lines), Decimal('0')):.2f}",
        "offline_orders": len(facts.offline_orders),
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


def _refund_unbilled(refund: RefundFact, facts: Facts) -> Found:
    order = facts.orders.get(refund.order_id) if refund.order_id is not None else None
    other_day = facts.refunds_billed_other_days.get(refund.out_request_no)
    common: dict[str, Any] = {
        "order_id": refund.order_id,
        "order_number": order.number if order else "",
        "gateway": refund.gateway,
        "out_trade_no": refund.out_trade_no,
        "expected_amount": refund.amount,
    }
    if other_day is not None:
        return Found(
            key=f"{c.CROSS_PERIOD}:refund:{refund.out_request_no}",
            category=c.CROSS_PERIOD,
            detail={
                "out_request_no": refund.out_request_no,
                "orderflow_day": facts.day.isoformat(),
                "bill_day": other_day.isoformat(),
            },
            **common,
        )
    return Found(
        key=f"{c.REFUND_MISSING_IN_BILL}:{refund.out_request_no}",
        category=c.REFUND_MISSING_IN_BILL,
        detail={"out_request_no": refund.out_request_no},
        **common,
    )


@dataclass
class _Offline:
    found: list[Found]
    checked: int


def _offline(facts: Facts) -> _Offline:
    found: list[Found] = []
    by_order: dict[int, list[StatementLineFact]] = defaultdict(list)
    for line in facts.statement_lines:
        order = statement_order(line, facts.orders_by_number)
        if order is None:
            found.append(
                Found(
                    key=f"{c.MISSING_ORDER}:{c.OFFLINE}:{line.key}",
                    category=c.MISSING_ORDER,
                    gateway=c.OFFLINE,
                    out_trade_no=line.serial or line.reference,
                    actual_amount=line.amount,
                    currency=line.currency,
                    detail={"statement": line.statement, "row": line.row, "reference": line.reference,
                            "memo": line.memo[:200]},
                )
            )  # fmt: skip
            continue
        by_order[order.order_id].append(line)

    for order_id, lines in by_order.items():
        order = facts.orders[order_id]
        first = lines[0]
        base: dict[str, Any] = {
            "order_id": order.order_id,
            "order_number": order.number,
            "gateway": c.OFFLINE,
            "out_trade_no": first.serial or first.reference,
            "expected_amount": order.total_amount,
            "currency": first.currency,
        }
        where = {"statement": first.statement, "row": first.row}
        if len(lines) > 1 or order_id in facts.gateway_paid_orders:
            found.append(
                Found(
                    key=f"{c.DUPLICATE_PAYMENT}:{c.OFFLINE}:{order.number}",
                    category=c.DUPLICATE_PAYMENT,
                    actual_amount=sum((line.amount for line in lines), Decimal("0")),
                    detail={
                        "credits": [line.key for line in lines],
                        "also_paid_through_gateway": order_id in facts.gateway_paid_orders,
                    },
                    **base,
                )
            )
            continue
        if not order.paid:
            found.append(
                Found(
                    key=f"{c.UNSETTLED}:{c.OFFLINE}:{order.number}",
                    category=c.UNSETTLED,
                    actual_amount=first.amount,
                    detail={"reason": "received_but_not_marked_paid", **where},
                    **base,
                )
            )
            continue
        if first.currency != order.currency or _differs(order.total_amount, first.amount, facts.tolerance):
            found.append(
                Found(
                    key=f"{c.AMOUNT_MISMATCH}:{c.OFFLINE}:{order.number}",
                    category=c.AMOUNT_MISMATCH,
                    actual_amount=first.amount,
                    detail={
                        "difference": f"{first.amount - order.total_amount:.2f}",
                        "order_currency": order.currency,
                        **where,
                    },
                    **base,
                )
            )
        if order.paid_day is not None and order.paid_day != facts.day:
            found.append(
                Found(
                    key=f"{c.CROSS_PERIOD}:{c.OFFLINE}:{order.number}",
                    category=c.CROSS_PERIOD,
                    actual_amount=first.amount,
                    detail={"orderflow_day": order.paid_day.isoformat(), "statement_day": facts.day.isoformat(),
                            **where},
                    **base,
                )
            )  # fmt: skip

    for order in facts.offline_orders:
        if order.order_id in by_order:
            continue
        base = {
            "order_id": order.order_id,
            "order_number": order.number,
            "gateway": c.OFFLINE,
            "expected_amount": order.total_amount,
            "currency": order.currency,
        }
        other_day = facts.offline_other_days.get(order.number)
        if other_day is not None:
            found.append(
                Found(
                    key=f"{c.CROSS_PERIOD}:{c.OFFLINE}:{order.number}",
                    category=c.CROSS_PERIOD,
                    detail={"orderflow_day": facts.day.isoformat(), "statement_day": other_day.isoformat()},
                    **base,
                )
            )
        elif not facts.statements_uploaded:
            found.append(
                Found(
                    key=f"{c.UNSETTLED}:{c.OFFLINE}-unconfirmed:{order.number}",
                    category=c.UNSETTLED,
                    detail={"reason": "offline_payment_not_confirmed"},
                    **base,
                )
            )
        else:
            found.append(Found(key=f"{c.MISSING_PAYMENT}:{c.OFFLINE}:{order.number}", category=c.MISSING_PAYMENT,
                               **base))  # fmt: skip
    checked = len(facts.statement_lines) + sum(1 for o in facts.offline_orders if o.order_id not in by_order)
    return _Offline(found=found, checked=checked)
