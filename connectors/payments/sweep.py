"""The payment verification robot: asks the gateway about attempts nobody confirmed, repairs the paid ones.

A notify can be lost (the merchant's server down, a network cut, Alipay giving up after 25 hours).
``payments_sweep`` runs every minute (``orderflow.schedules.services``): for each attempt still
``pending`` after ``ORDERFLOW_PAYMENT_SWEEP_AFTER_MINUTES`` (5 by default) whose order still waits
in ``pending_payment``, it asks the attempt's gateway connection (``trade``: a signed query, a
verified answer) and confirms a paid trade through ``payment_confirm`` — the same path as a notify,
so a repair is idempotent with a notify that arrives late. Each run is kept as a ``PaymentSweep``
(checked, repaired, unreachable, errors). When more than ``ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT``
attempts (20 by default) are still unconfirmed after the run, finance is told through the inbox —
at most once an hour.

No transaction is open while a gateway is called; each confirmation is its own transaction. Each
attempt is claimed before its query (``payment_check_claim``), so sweeps that overlap — a slow
gateway keeping one running into the next minute — never ask about the same attempt twice.

A gateway that is down is asked once a run: when a query fails in a way that says nothing about
the attempt but about the connection (a timeout, a refused connection, a 5xx, a rate limit,
refused credentials: ``ProviderError.concerns_connection``), the connection's other attempts are
not asked — not claimed either, so the next run asks about them — and count as unreachable with
the outcome ``not_asked``. Otherwise an outage with 200 waiting attempts would cost a timeout
each, every minute, and run each sweep into the next.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from commerce.inbox.services import inbox_notify
from commerce.payments.models import Payment, PaymentSweep
from commerce.payments.selectors import payment_sweep_last_alerted, payments_to_verify, payments_unconfirmed_count
from commerce.payments.services import payment_check_claim, payment_sweep_record
from core.accounts.roles import FINANCE
from core.actors import Actor
from core.errors import DomainError

from ..base import ProviderError
from ..models import Connection
from .gateway import gateway_client, trade_confirm

logger = logging.getLogger(__name__)

SWEEP_ACTOR = Actor.system("payment verification robot", source="schedule")
ALERT_EVERY = timedelta(hours=1)

REPAIRED = ("paid", "reopened", "held", "mismatched")


def sweep_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ORDERFLOW_PAYMENT_SWEEP_AFTER_MINUTES", 5)))


def claim_hold() -> timedelta:
    """How long a claimed attempt is left to the sweep that claimed it: less than the minute between
    sweeps, so each sweep may ask again (``ORDERFLOW_PAYMENT_SWEEP_CLAIM_SECONDS``, 50)."""
    return timedelta(seconds=int(getattr(settings, "ORDERFLOW_PAYMENT_SWEEP_CLAIM_SECONDS", 50)))


def alert_threshold() -> int:
    return int(getattr(settings, "ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT", 20))


def payments_sweep(*, now: datetime | None = None, limit: int = 200) -> PaymentSweep:
    """One run of the robot; returns its record."""
    started = timezone.now()
    now = now or started
    created_before = now - sweep_after()
    checked = repaired = unreachable = errors = 0
    details: list[dict] = []
    connections: dict[int, Connection | None] = {}
    clients: dict[int, object] = {}
    down: dict[int, str] = {}  # connection id → why this run stopped asking it
    for payment in list(payments_to_verify(created_before=created_before, limit=limit)):
        if payment.connection_id in down:
            unreachable += 1
            details.append(
                {"out_trade_no": payment.out_trade_no, "outcome": "not_asked", "error": down[payment.connection_id]}
            )
            continue
        if not payment_check_claim(payment_id=payment.pk, now=timezone.now(), hold=claim_hold()):
            continue  # an overlapping sweep is asking about it right now
        checked += 1
        connection = _connection(payment, connections)
        if connection is None:
            errors += 1
            details.append({"out_trade_no": payment.out_trade_no, "outcome": "no_connection"})
            continue
        try:
            if connection.pk not in clients:
                clients[connection.pk] = gateway_client(connection)
            trade = clients[connection.pk].trade(payment.out_trade_no)  # type: ignore[attr-defined]
            done = trade_confirm(connection=connection, trade=trade, source="sweep")
        except ProviderError as exc:
            unreachable += 1
            details.append({"out_trade_no": payment.out_trade_no, "outcome": "unreachable", "error": exc.message})
            if exc.concerns_connection:
                down[connection.pk] = exc.message
            continue
        except DomainError as exc:
            errors += 1
            details.append({"out_trade_no": payment.out_trade_no, "outcome": "error", "error": exc.code})
            continue
        if done["outcome"] in REPAIRED:
            repaired += 1
        details.append(done)
    unconfirmed = payments_unconfirmed_count(created_before=created_before)
    alerted = _alert(unconfirmed, now)
    sweep = payment_sweep_record(
        checked=checked,
        repaired=repaired,
        unreachable=unreachable,
        errors=errors,
        unconfirmed=unconfirmed,
        alerted=alerted,
        details=details,
        started_at=started,
    )
    if repaired or unreachable or errors:
        logger.info(
            "payment sweep %s: checked %s, repaired %s, unreachable %s, errors %s",
            sweep.pk,
            checked,
            repaired,
            unreachable,
            errors,
        )
    return sweep


def _connection(payment: Payment, cache: dict[int, Connection | None]) -> Connection | None:
    if payment.connection_id is None:
        return None
    if payment.connection_id not in cache:
        cache[payment.connection_id] = Connection.objects.filter(
            pk=payment.connection_id, connector=payment.gateway, enabled=True
        ).first()
    return cache[payment.connection_id]


def _alert(unconfirmed: int, now: datetime) -> bool:
    if unconfirmed <= alert_threshold():
        return False
    last = payment_sweep_last_alerted()
    if last is not None and last.started_at > now - ALERT_EVERY:
        return False
    inbox_notify(
        to_role=FINANCE,
        title=f"{unconfirmed} 笔支付仍未确认 / {unconfirmed} payments still unconfirmed",
        body=(
            f"支付核验机器人查询后仍有 {unconfirmed} 笔支付超过 {int(sweep_after().total_seconds() // 60)} 分钟未确认，"
            "请检查支付网关连接与回调地址。 / After the payment sweep, "
            f"{unconfirmed} payment attempts are still unconfirmed: check the gateway connections and notify URLs."
        ),
        order_id=None,
        actor=SWEEP_ACTOR,
    )
    return True
