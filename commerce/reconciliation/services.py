"""Reconciliation writes: run a day (or a period), resolve a difference.

``reconciliation_run`` fetches the gateways' bills of the day through the registered sources
(``sources``: the payment connectors, network calls, outside any transaction) and hands them to
``reconciliation_apply``, one transaction that:

1. takes the day's row (created on the first run) ``FOR UPDATE``, so two runs of one day queue;
2. replaces the day's bill lines when they changed (the snapshot of the gateways' side);
3. reads the day's orders, payments, refunds and shipments and matches them (``matching``);
4. upserts the differences by their key: a new one gets its work item (a ticket in the finance
   queue, ``commerce.tickets``) and its ``reconciliation.difference`` event; one found again is
   updated in place (a resolved one stays resolved); an open one no longer found is ``cleared`` and
   its ticket closed;
5. records the day's totals, the rate's numerator and denominator, and an audit entry.

Running a day again with the same data changes nothing (no new ticket, event or row) — except that
a run meeting a bill not fetched (yet) counts the attempt (``fetch_attempts``, ``last_fetch_at``),
which the scheduled retries go by (``tasks``); past the cut-off the day is ``incomplete`` and finance
gets one inbox alert.

Statements (``statement_upload``): the bank / cash-on-delivery credits finance uploads for a day,
read strictly by ``statement_file``; ``_facts`` reads them with the day's orders paid outside the
gateways (a manual channel's order marked paid) for ``matching``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.channels.models import Channel
from commerce.inbox.services import inbox_notify
from commerce.orders.models import Order
from commerce.outbox import names
from commerce.outbox.services import event_emit
from commerce.payments.models import Payment, PaymentRefund
from commerce.tickets import constants as ticket_constants
from commerce.tickets.services import ticket_close, ticket_open
from core.accounts.roles import FINANCE
from core.actors import Actor
from core.db import custom_plans
from core.errors import InvalidInput

from . import categories as c
from . import statement_file
from .errors import DifferenceNotFound, DifferenceNotOpen, StatementInvalid, StatementTooLarge
from .matching import (
    ORDER_NUMBER,
    Facts,
    Found,
    OrderFact,
    PaymentFact,
    RefundFact,
    StatementLineFact,
    differences_find,
    fuzzy_numbers,
    statement_numbers,
    statement_order,
)
from .models import BillLine, ReconciliationDay, ReconciliationDifference, Statement, StatementLine
from .representation import difference_representation
from .sources import BillFetch, BillLineInput, bills_fetch

CHUNK = 5000
MAX_PERIOD_DAYS = 31
REASON_MAX = 500
MONEY_TAKEN = (*Payment.MONEY_TAKEN, Payment.REFUNDED)
_UPDATABLE = ("category", "order_id", "order_number", "gateway", "out_trade_no", "expected_amount",
              "actual_amount", "currency", "detail")  # fmt: skip


def default_tolerance() -> Decimal:
    return Decimal(str(getattr(settings, "ORDERFLOW_RECONCILIATION_TOLERANCE", "0.50")))


def day_range(day: date) -> tuple[datetime, datetime]:
    """The UTC bounds of an Asia/Shanghai (display zone) day: [start, end)."""
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    start = datetime.combine(day, time(), zone)
    return start, datetime.combine(day + timedelta(days=1), time(), zone)


def check_tolerance(value) -> Decimal:
    try:
        tolerance = Decimal(str(value))
    except ArithmeticError:
        raise InvalidInput(details={"tolerance": "a decimal amount, e.g. 0.50"}) from None
    if not tolerance.is_finite() or tolerance < 0 or tolerance > Decimal("1000"):
        raise InvalidInput(details={"tolerance": "between 0 and 1000"})
    return tolerance.quantize(Decimal("0.01"))


# --- running -----------------------------------------------------------------------------------


def reconciliation_run(*, day: date, actor: Actor, tolerance: Decimal | None = None) -> ReconciliationDay:
    """Fetches the day's bills from every registered source, then reconciles the day."""
    bills = bills_fetch(day)
    return reconciliation_apply(day=day, bills=bills, actor=actor, tolerance=tolerance)


def reconciliation_run_period(
    *, date_from: date, date_to: date, actor: Actor, tolerance: Decimal | None = None
) -> list[ReconciliationDay]:
    """Each day of [date_from, date_to], oldest first (at most ``MAX_PERIOD_DAYS``)."""
    if date_to < date_from:
        raise InvalidInput(details={"date_to": "on or after date_from"})
    if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(details={"date_to": f"a period of at most {MAX_PERIOD_DAYS} days"})
    today = timezone.now().astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).date()
    if date_to > today:
        raise InvalidInput(details={"date_to": "a day that has begun (today at the latest)"})
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    return [reconciliation_run(day=day, actor=actor, tolerance=tolerance) for day in days]


def _day_lock(day: date, tolerance: Decimal, now: datetime) -> ReconciliationDay:
    try:
        with transaction.atomic():
            ReconciliationDay.objects.get_or_create(
                day=day, defaults={"tolerance": tolerance, "started_at": now, "finished_at": now}
            )
    except IntegrityError:  # created meanwhile by a concurrent run of the same day
        pass
    return ReconciliationDay.objects.select_for_update().get(day=day)


def reconciliation_apply(
    *, day: date, bills: list[BillFetch], actor: Actor, tolerance: Decimal | None = None
) -> ReconciliationDay:
    """Reconciles ``day`` against ``bills`` (see the module's docstring). Idempotent."""
    tolerance = default_tolerance() if tolerance is None else check_tolerance(tolerance)
    started = timezone.now()
    lines = [line for bill in bills for line in bill.lines]
    with transaction.atomic():
        custom_plans()  # the day's bill lines are replaced, then matched in batches (core.db)
        record = _day_lock(day, tolerance, started)
        snapshot_changed = _bill_lines_replace(record, lines)
        facts = _facts(day, tolerance, lines, frozenset(b.gateway for b in bills if b.fetched))
        result = differences_find(facts)
        changes = _differences_upsert(record, result.found, actor)
        sources = [
            {
                "gateway": b.gateway,
                "connection_id": b.connection_id,
                "lines": len(b.lines),
                "error": b.error,
                "summary": b.summary,
            }
            for b in bills
        ]
        status = _day_status(day, bills, started)
        for source, bill in zip(sources, bills, strict=True):
            source["state"] = c.COMPLETE if bill.fetched else status
        differing = record.differences.exclude(status=c.CLEARED).count()
        wanted = {
            "status": status,
            "tolerance": tolerance,
            "totals": result.totals,
            "sources": sources,
            "checked": result.checked,
            "differing": differing,
        }
        drifted = {k: v for k, v in wanted.items() if getattr(record, k) != v}
        if snapshot_changed:
            drifted["snapshot_digest"] = record.snapshot_digest
        if status != c.COMPLETE:  # a bill not fetched (yet): the retries count each attempt
            drifted["fetch_attempts"] = record.fetch_attempts + 1
            drifted["last_fetch_at"] = started
        alert = status == c.INCOMPLETE and record.alerted_at is None
        if alert:
            drifted["alerted_at"] = started
        if drifted or snapshot_changed or any(changes.values()) or record.runs == 0:
            for key, value in drifted.items():
                setattr(record, key, value)
            record.runs += 1
            record.run_by = actor.label
            record.started_at = started
            record.finished_at = timezone.now()
            record.save()
            audit_record(
                subject_type="reconciliation_day",
                subject_id=record.pk,
                action="reconciled",
                actor=actor,
                changes={
                    "day": day.isoformat(),
                    "status": status,
                    "checked": result.checked,
                    "differing": differing,
                    "bill_lines": len(lines) if snapshot_changed else None,
                    **changes,
                },
            )
        if alert:
            _incomplete_alert(record, sources, actor)
    return record


def retry_every() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ORDERFLOW_RECONCILIATION_RETRY_MINUTES", 60)))


def retry_until(day: date) -> datetime:
    """The moment automatic retries of ``day`` stop: ``ORDERFLOW_RECONCILIATION_RETRY_UNTIL``
    (12:00 by default) of the next Asia/Shanghai day."""
    value = str(getattr(settings, "ORDERFLOW_RECONCILIATION_RETRY_UNTIL", "12:00"))
    try:
        until = time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(details={"ORDERFLOW_RECONCILIATION_RETRY_UNTIL": "a time as HH:MM"}) from None
    return datetime.combine(day + timedelta(days=1), until, ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE))


def _day_status(day: date, bills: list[BillFetch], now: datetime) -> str:
    if all(b.fetched for b in bills):
        return c.COMPLETE
    return c.PARTIAL if now < retry_until(day) else c.INCOMPLETE


def _incomplete_alert(record: ReconciliationDay, sources: list[dict], actor: Actor) -> None:
    missing = ", ".join(f"{s['gateway']} ({s['error'][:80]})" for s in sources if s["error"])
    day = record.day.isoformat()
    inbox_notify(
        to_role=FINANCE,
        title=f"{day} 对账未完成 / Reconciliation of {day} incomplete",
        body=(
            f"{day} 的账单到截止时间仍未取到：{missing}。这些渠道的支付未核对，请检查后手动重新对账。 / "
            f"The bills of {day} could still not be fetched at the cut-off: {missing}. Their payments are "
            "not judged: check the connections and reconcile the day again by hand."
        ),
        order_id=None,
        actor=actor,
    )


def _line_tuple(line: BillLineInput | BillLine) -> tuple:
    return (
        line.gateway,
        line.connection_id,
        line.kind,
        line.out_trade_no,
        line.trade_no,
        line.out_request_no,
        Decimal(line.amount).quantize(Decimal("0.01")),
        line.currency,
        line.memo[:256],
        line.occurred_at,
    )


def snapshot_digest(lines: list[BillLineInput]) -> str:
    """A fingerprint of the bill lines, in order: equal digests, equal snapshots."""
    digest = hashlib.sha256()
    for line in lines:
        moment = line.occurred_at.timestamp() if line.occurred_at else ""
        digest.update(
            f"{line.gateway}\x1f{line.connection_id}\x1f{line.kind}\x1f{line.out_trade_no}\x1f{line.trade_no}\x1f"
            f"{line.out_request_no}\x1f{line.amount:.2f}\x1f{line.currency}\x1f{line.memo[:256]}\x1f{moment}\x1e".encode()
        )
    return digest.hexdigest()


def _bill_lines_replace(record: ReconciliationDay, lines: list[BillLineInput]) -> bool:
    """Replaces the day's bill lines by ``lines`` unless they are the ones stored (the same
    digest: the stored lines need not be read back); answers whether they changed."""
    fields = ("gateway", "connection_id", "kind", "out_trade_no", "trade_no", "out_request_no", "amount",
              "currency", "memo", "occurred_at")  # fmt: skip
    digest = snapshot_digest(lines)
    if record.runs and record.snapshot_digest == digest:
        return False
    record.snapshot_digest = digest
    BillLine.objects.filter(reconciliation_day=record).delete()
    BillLine.objects.bulk_create(
        (BillLine(reconciliation_day=record, **dict(zip(fields, _line_tuple(line), strict=True))) for line in lines),
        batch_size=2000,
    )
    return True


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _order_fact(row: tuple) -> OrderFact:
    order_id, number, total, currency, paid_at = row
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    paid_day = paid_at.astimezone(zone).date() if paid_at is not None else None
    return OrderFact(order_id, number, total, currency, paid_at is not None, paid_day)


STATEMENT_NEARBY_DAYS = 7  # how far an offline payment's statement may be from its day (cross-period)


_ORDER_FIELDS = ("id", "number", "total_amount", "currency", "paid_at")


def _facts(day: date, tolerance: Decimal, lines: list[BillLineInput], fetched: frozenset[str]) -> Facts:
    start, end = day_range(day)
    # Each payment with its order, in one query: the payments confirmed on the day, then those the
    # bill names that were not (confirmed another day, or never).
    # (A payment confirmed on the day needs no time read back: its day is the day.)
    fields = ("out_trade_no", "order_id", "gateway", "amount", "currency", "status",
              "order__number", "order__total_amount", "order__currency", "order_paid")  # fmt: skip
    order_paid = ExpressionWrapper(Q(order__paid_at__isnull=False), output_field=BooleanField())
    payments: dict[str, PaymentFact] = {}
    orders: dict[int, OrderFact] = {}
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)

    def keep(rows, paid_on: date | None) -> None:
        for out_trade_no, order_id, gateway, amount, currency, status, number, total, order_currency, paid, *at in rows:
            taken = status in MONEY_TAKEN
            paid_day = (paid_on or (at[0].astimezone(zone).date() if at[0] else None)) if taken else None
            payments[out_trade_no] = PaymentFact(out_trade_no, order_id, gateway, amount, currency, taken, paid_day)
            if order_id not in orders:
                orders[order_id] = OrderFact(order_id, number, total, order_currency, paid)

    confirmed = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end, status__in=MONEY_TAKEN)
    keep(confirmed.annotate(order_paid=order_paid).values_list(*fields), day)
    named = {line.out_trade_no for line in lines} - payments.keys()
    for chunk in _chunks(named):
        found = Payment.objects.filter(out_trade_no__in=chunk).annotate(order_paid=order_paid)
        keep(found.values_list(*fields, "paid_at"), None)
    orders_by_number: dict[str, OrderFact] = {}
    for chunk in _chunks(fuzzy_numbers(lines, set(payments))):
        for row in Order.objects.filter(number__in=chunk).values_list(*_ORDER_FIELDS):
            orders_by_number[row[1]] = orders[row[0]] = _order_fact(row)

    refunds: dict[str, RefundFact] = {}
    asked = [line.out_request_no for line in lines if line.kind == c.REFUND and line.out_request_no]
    for chunk in _chunks(asked):
        rows = PaymentRefund.objects.filter(status=PaymentRefund.SUCCEEDED, out_request_no__in=chunk).values_list(
            "out_request_no", "payment__out_trade_no", "amount"
        )
        for out_request_no, out_trade_no, amount in rows:
            refunds[out_request_no] = RefundFact(out_request_no, out_trade_no, amount)

    billed = {line.out_trade_no for line in lines if line.kind == c.PAYMENT}
    unbilled = [p.out_trade_no for p in payments.values() if p.paid_day == day and p.out_trade_no not in billed]
    billed_other_days: dict[str, date] = {}
    for chunk in _chunks(unbilled):
        elsewhere = (
            BillLine.objects.filter(kind=c.PAYMENT, out_trade_no__in=chunk)
            .exclude(reconciliation_day__day=day)
            .values_list("out_trade_no", "reconciliation_day__day")
        )
        billed_other_days.update(elsewhere)

    # The gateway refunds Orderflow saw succeed on the day, and which of those the day's bill lacks
    # but another day's bill shows.
    refunds_of_day: list[RefundFact] = []
    succeeded = PaymentRefund.objects.filter(
        status=PaymentRefund.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end
    ).values_list("out_request_no", "payment__out_trade_no", "amount", "payment__gateway", "payment__order_id")
    for out_request_no, out_trade_no, amount, gateway, order_id in succeeded.order_by("id"):
        refund = RefundFact(out_request_no, out_trade_no, amount, gateway, order_id)
        refunds_of_day.append(refund)
        refunds.setdefault(out_request_no, refund)
    billed_refunds = {line.out_request_no for line in lines if line.kind == c.REFUND}
    unbilled_refunds = [r.out_request_no for r in refunds_of_day if r.out_request_no not in billed_refunds]
    refunds_billed_other_days: dict[str, date] = {}
    for chunk in _chunks(unbilled_refunds):
        refunds_billed_other_days.update(
            BillLine.objects.filter(kind=c.REFUND, out_request_no__in=chunk)
            .exclude(reconciliation_day__day=day)
            .values_list("out_request_no", "reconciliation_day__day")
        )
    missing_orders = {r.order_id for r in refunds_of_day if r.order_id is not None} - orders.keys()
    for chunk in _chunks(missing_orders):
        for row in Order.objects.filter(pk__in=chunk).values_list(*_ORDER_FIELDS):
            orders[row[0]] = _order_fact(row)

    offline = _offline_facts(day, start, end, orders, orders_by_number)

    shipped = (
        Order.objects.filter(shipments__created_at__gte=start, shipments__created_at__lt=end, paid_at__isnull=True)
        .exclude(payments__status__in=MONEY_TAKEN)
        .distinct()
        .order_by("id")
        .values_list(*_ORDER_FIELDS)
    )
    return Facts(
        day=day,
        tolerance=tolerance,
        bill_lines=lines,
        payments=payments,
        orders=orders,
        orders_by_number=orders_by_number,
        refunds=refunds,
        billed_other_days=billed_other_days,
        unsettled_shipments=[_order_fact(row) for row in shipped],
        fetched_gateways=fetched,
        refunds_of_day=refunds_of_day,
        refunds_billed_other_days=refunds_billed_other_days,
        **offline,
    )


def _statement_fact(row: tuple) -> StatementLineFact:
    kind, account, number, serial, reference, memo, amount, currency = row
    return StatementLineFact(f"{kind}:{account}", number, serial, reference, memo, amount, currency)


_STATEMENT_FIELDS = ("statement__kind", "statement__account", "row", "serial", "reference", "memo", "amount",
                     "currency")  # fmt: skip


def _offline_facts(
    day: date, start: datetime, end: datetime, orders: dict[int, OrderFact], orders_by_number: dict[str, OrderFact]
) -> dict:
    """The day's statements and the orders paid outside the gateways (see ``matching``)."""
    statements_uploaded = Statement.objects.filter(day=day).exists()
    lines = [
        _statement_fact(row)
        for row in StatementLine.objects.filter(statement__day=day).order_by("statement_id", "row")
        .values_list(*_STATEMENT_FIELDS)
    ]  # fmt: skip
    # The manual channels first (a few rows): their orders are found through the channel's index.
    manual = list(Channel.objects.filter(kind=Channel.MANUAL).values_list("pk", flat=True))
    offline_orders = [
        _order_fact(row)
        for row in Order.objects.filter(channel_id__in=manual, paid_at__gte=start, paid_at__lt=end)
        .exclude(payments__status__in=MONEY_TAKEN)
        .order_by("id")
        .values_list(*_ORDER_FIELDS)
    ] if manual else []  # fmt: skip
    for order in offline_orders:
        orders.setdefault(order.order_id, order)
        orders_by_number.setdefault(order.number, order)
    wanted = statement_numbers(lines) - orders_by_number.keys()
    for chunk in _chunks(wanted):
        for row in Order.objects.filter(number__in=chunk).values_list(*_ORDER_FIELDS):
            orders_by_number[row[1]] = orders[row[0]] = _order_fact(row)
    matched = {o.order_id for line in lines if (o := statement_order(line, orders_by_number)) is not None}
    gateway_paid = frozenset(
        Payment.objects.filter(order_id__in=matched, status__in=MONEY_TAKEN).values_list("order_id", flat=True)
    )
    unmatched = {o.number for o in offline_orders if o.order_id not in matched}
    other_days: dict[str, date] = {}
    if unmatched:
        nearby = (
            StatementLine.objects.filter(
                statement__day__gte=day - timedelta(days=STATEMENT_NEARBY_DAYS),
                statement__day__lte=day + timedelta(days=STATEMENT_NEARBY_DAYS),
            )
            .exclude(statement__day=day)
            .order_by("statement__day", "id")
            .values_list("reference", "memo", "statement__day")
        )
        for reference, memo, other in nearby:
            for number in {reference.strip(), *ORDER_NUMBER.findall(reference), *ORDER_NUMBER.findall(memo)}:
                if number in unmatched:
                    other_days.setdefault(number, other)
    return {
        "statements_uploaded": statements_uploaded,
        "statement_lines": lines,
        "offline_orders": offline_orders,
        "offline_other_days": other_days,
        "gateway_paid_orders": gateway_paid,
    }


def _ticket_title(found: Found | ReconciliationDifference) -> str:
    label = c.LABELS[found.category]
    return f"对账差异 {label['zh']} / {label['en']}: {found.order_number or found.out_trade_no}"[:200]


def _differences_upsert(record: ReconciliationDay, found: list[Found], actor: Actor) -> dict:
    existing = {d.key: d for d in ReconciliationDifference.objects.filter(reconciliation_day=record)}
    seen: set[str] = set()
    created = updated = cleared = reopened = 0
    day = record.day.isoformat()
    for item in found:
        if item.key in seen:  # two bill lines naming the same difference: one work item
            continue
        seen.add(item.key)
        values = {name: getattr(item, name) for name in _UPDATABLE}
        difference = existing.get(item.key)
        if difference is None:
            difference = ReconciliationDifference.objects.create(reconciliation_day=record, key=item.key, **values)
            _work_item_open(difference, actor, day)
            created += 1
            continue
        drifted = [name for name, value in values.items() if getattr(difference, name) != value]
        for name in drifted:
            setattr(difference, name, values[name])
        if difference.status == c.CLEARED:
            difference.status = c.OPEN
            difference.save()
            _work_item_open(difference, actor, day)
            reopened += 1
        elif drifted:
            difference.save(update_fields=[*drifted, "updated_at"])
            updated += 1
    for key, difference in existing.items():
        if key in seen or difference.status != c.OPEN:
            continue
        difference.status = c.CLEARED
        difference.save(update_fields=["status", "updated_at"])
        if difference.ticket_id is not None:
            ticket_close(ticket_id=difference.ticket_id, actor=actor, resolution="cleared: a re-run no longer finds it")
        cleared += 1
    return {"created": created, "updated": updated, "cleared": cleared, "reopened": reopened}


def _work_item_open(difference: ReconciliationDifference, actor: Actor, day: str) -> None:
    ticket = ticket_open(
        title=_ticket_title(difference),
        queue=c.TICKET_QUEUE,
        priority=ticket_constants.NORMAL,
        assignee_role=FINANCE,
        due_at=timezone.now() + timedelta(days=1),
        order_id=difference.order_id,
        actor=actor,
    )
    difference.ticket_id = ticket.pk
    difference.save(update_fields=["ticket_id", "updated_at"])
    event_emit(
        name=names.RECONCILIATION_DIFFERENCE,
        subject_type=c.SUBJECT,
        subject_id=difference.pk,
        payload={"difference": difference_representation(difference, day=day)},
        actor=actor,
    )


# --- resolving ---------------------------------------------------------------------------------


def difference_resolve(*, difference_id: int, reason: str, actor: Actor) -> ReconciliationDifference:
    """Resolves an open difference with ``reason``: audited, its ticket closed with the reason."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(details={"reason": "say why the difference is resolved"})
    if len(reason) > REASON_MAX:
        raise InvalidInput(details={"reason": f"at most {REASON_MAX} characters"})
    with transaction.atomic():
        difference = (
            ReconciliationDifference.objects.select_for_update(of=("self",))
            .select_related("reconciliation_day")
            .filter(pk=difference_id)
            .first()
        )
        if difference is None:
            raise DifferenceNotFound(details={"difference": difference_id})
        if difference.status != c.OPEN:
            raise DifferenceNotOpen(details={"difference": difference_id, "status": difference.status})
        difference.status = c.RESOLVED
        difference.resolution = reason
        difference.resolved_by = actor.label
        difference.resolved_at = timezone.now()
        difference.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "updated_at"])
        audit_record(
            subject_type=c.SUBJECT,
            subject_id=difference.pk,
            action="resolved",
            actor=actor,
            changes={"status": [c.OPEN, c.RESOLVED], "reason": reason, "category": difference.category},
        )
        if difference.ticket_id is not None:
            ticket_close(ticket_id=difference.ticket_id, actor=actor, resolution=reason)
    return difference


# --- statements (money paid outside the gateways) -----------------------------------------------


@dataclass(frozen=True)
class StatementOutcome:
    statement: Statement
    outcome: str  # created, replaced, unchanged


def statement_upload(
    *, day: date, kind: str, account: str, file_name: str, content: bytes, actor: Actor
) -> StatementOutcome:
    """Stores a bank / cash-on-delivery statement of ``day`` (``statement_file`` reads it). One bad
    row stores nothing (``StatementInvalid`` naming each row and column). The same file for the
    same (day, kind, account) again changes nothing; another file replaces the account's statement
    of the day. The day is not re-run here (``reconciliation_run`` does that)."""
    account = account.strip() if isinstance(account, str) else ""
    problems: dict = {}
    if kind not in c.STATEMENT_KINDS:
        problems["kind"] = f"one of {', '.join(c.STATEMENT_KINDS)}"
    if not account or len(account) > 64:
        problems["account"] = "the bank account or courier, 1 to 64 characters"
    today = timezone.now().astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).date()
    if day > today:
        problems["day"] = "a day that has begun (today at the latest)"
    if problems:
        raise InvalidInput(details=problems)
    if len(content) > statement_file.MAX_BYTES:
        raise StatementTooLarge(details={"file": f"at most {statement_file.MAX_BYTES} bytes", "size": len(content)})
    try:
        parsed = statement_file.statement_parse(content, day=day, zone=settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    except statement_file.StatementFileError as exc:
        raise StatementInvalid(details={"file": str(exc)}) from None
    if parsed.errors:
        raise StatementInvalid(details={"errors": parsed.errors})
    name = (file_name or "statement.csv")[:200]
    try:
        return _statement_store(day=day, kind=kind, account=account, name=name, parsed=parsed, actor=actor)
    except IntegrityError:
        # Two first uploads of one account's day at once both found no statement to lock; the
        # later insert met the unique constraint. Looked at again, the other's statement is there.
        return _statement_store(day=day, kind=kind, account=account, name=name, parsed=parsed, actor=actor)


def _statement_store(
    *, day: date, kind: str, account: str, name: str, parsed: statement_file.ParsedStatement, actor: Actor
) -> StatementOutcome:
    with transaction.atomic():
        existing = Statement.objects.select_for_update().filter(day=day, kind=kind, account=account).first()
        if existing is not None and existing.digest == parsed.digest:
            return StatementOutcome(existing, "unchanged")
        outcome = "created" if existing is None else "replaced"
        if existing is not None:
            existing.delete()
        statement = Statement.objects.create(
            day=day,
            kind=kind,
            account=account,
            file_name=name,
            digest=parsed.digest,
            file_format=parsed.file_format,
            lines_count=len(parsed.rows),
            credit_total=sum((row.amount for row in parsed.rows), Decimal("0")),
            uploaded_by=actor.label,
            uploaded_at=timezone.now(),
        )
        StatementLine.objects.bulk_create(
            StatementLine(
                statement=statement,
                row=row.row,
                serial=row.serial,
                reference=row.reference,
                memo=row.memo,
                payer=row.payer,
                amount=row.amount,
                currency=row.currency,
                occurred_at=row.occurred_at,
            )
            for row in parsed.rows
        )
        audit_record(
            subject_type="reconciliation_statement",
            subject_id=statement.pk,
            action=outcome,
            actor=actor,
            changes={
                "day": day.isoformat(),
                "kind": kind,
                "account": account,
                "file_name": name,
                "digest": parsed.digest,
                "lines": len(parsed.rows),
                "credit_total": f"{statement.credit_total:.2f}",
                "replaced": existing.digest if existing is not None else None,
            },
        )
    return StatementOutcome(statement, outcome)
