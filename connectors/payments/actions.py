"""The payment actions flows can use: ``payment.query`` and ``payment.refund``.

Both act on the order in the execution's context, through that order's payment attempt and the
gateway connection it was made with. They are external (the network): called with no transaction
open, their receipts written after.

``payment.refund`` sends the gateway an idempotency key made from the execution id and the node id
(``refund_request_no``): a retry of the node — after a timeout, a crash, a 503 — sends the very same
``out_request_no`` / ``out_refund_no``, so the gateway moves the money once. The refund is
recorded (``payment_refund_record``, unique on that key) before the gateway is called.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from builder.catalog import ActionSpec, ConnectorSpec, register_connector
from commerce.payments.selectors import payment_latest_for_order, payment_refundable_for_order
from commerce.payments.services import payment_refund_record, payment_refund_settle
from core.errors import DomainError
from runtime.actions import register
from runtime.actions.base import Action, ActionRun, object_schema, order_id_of, step_failure
from runtime.errors import RetryableFailure, TerminalFailure

from ..base import PAYMENT, ProviderError
from ..models import Connection
from .gateway import REFUND_SUCCEEDED, gateway_client, trade_confirm

GROUP = "payments"


def refund_request_no(run: ActionRun) -> str:
    """``RF<execution id>-<12 hex of the node id>``: stable across retries, ≤ 64 characters, only
    characters both gateways accept."""
    node = hashlib.sha256(run.node_id.encode()).hexdigest()[:12]
    return f"RF{run.execution_id}-{node}"


def _connection(payment) -> Connection:
    connection = (
        Connection.objects.filter(pk=payment.connection_id, connector=payment.gateway, enabled=True).first()
        if payment.connection_id
        else None
    )
    if connection is None:
        raise TerminalFailure(
            "no_gateway_connection",
            f"the payment {payment.out_trade_no} has no enabled {payment.gateway} connection",
        )
    return connection


def _client(connection: Connection):
    try:
        return gateway_client(connection)
    except ProviderError as exc:
        raise TerminalFailure(exc.code or "provider_error", exc.message) from None


def _provider_failure(exc: ProviderError):
    cls = RetryableFailure if exc.retryable else TerminalFailure
    return cls(exc.code or "provider_error", exc.message)


class PaymentQuery(Action):
    """Asks the gateway about the order's latest payment attempt; a paid trade nobody confirmed is
    repaired (``payment_confirm``, idempotent)."""

    external = True
    spec = ActionSpec(
        key="payment.query",
        name_en="Query the payment",
        name_zh="查询支付状态",
        description_en="Asks the payment gateway about the order's payment and records a payment it missed.",
        description_zh="向支付网关查询订单的支付状态，补记漏掉的支付。",
        connector=GROUP,
        group=GROUP,
        icon="search",
        params_schema=object_schema({}),
        output_schema=object_schema(
            {
                "out_trade_no": {"type": "string"},
                "gateway_status": {"type": "string"},
                "outcome": {"type": "string"},
            }
        ),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        payment = payment_latest_for_order(order_id=order_id)
        if payment is None:
            raise TerminalFailure("no_payment", f"order {order_id} has no payment attempt")
        connection = _connection(payment)
        try:
            trade = _client(connection).trade(payment.out_trade_no)
            done = trade_confirm(connection=connection, trade=trade, source="query")
        except ProviderError as exc:
            raise _provider_failure(exc) from None
        except DomainError as exc:
            raise step_failure(exc) from None
        return {
            "out_trade_no": payment.out_trade_no,
            "gateway_status": trade.gateway_status,
            "outcome": done["outcome"],
        }

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "out_trade_no": "", "gateway_status": "", "outcome": "preview"}


class PaymentRefund(Action):
    """Refunds ``amount`` of the order's payment through its gateway, once (see the module docstring)."""

    external = True
    spec = ActionSpec(
        key="payment.refund",
        name_en="Refund through the gateway",
        name_zh="原路退款",
        description_en="Returns money through the order's payment gateway; a retry never refunds twice.",
        description_zh="通过订单的支付网关原路退款；重试不会重复退款。",
        connector=GROUP,
        group=GROUP,
        icon="undo",
        params_schema=object_schema(
            {
                "amount": {
                    "type": ["number", "string"],
                    "description": "Yuan, at most 2 decimals; a template such as {{ refund.amount }} is allowed.",
                },
                "reason": {"type": "string", "maxLength": 200},
            },
            required=("amount",),
        ),
        output_schema=object_schema(
            {
                "out_request_no": {"type": "string"},
                "status": {"type": "string"},
                "amount": {"type": "string"},
            }
        ),
        default_retry={"max_attempts": 5, "backoff_seconds": 60},
    )

    def _amount(self, params: dict) -> Decimal:
        try:
            amount = Decimal(str(params["amount"]))
        except (InvalidOperation, ValueError):
            raise TerminalFailure("invalid_amount", f"{params['amount']!r} is not an amount") from None
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise TerminalFailure("invalid_amount", "the amount must be more than 0, with at most 2 decimals")
        return amount

    def perform(self, params: dict, run: ActionRun) -> dict:
        order_id = order_id_of(run)
        amount = self._amount(params)
        payment = payment_refundable_for_order(order_id=order_id)
        if payment is None:
            raise TerminalFailure("no_payment", f"order {order_id} has no gateway payment that took money")
        key = refund_request_no(run)
        try:
            refund = payment_refund_record(
                payment_id=payment.pk,
                out_request_no=key,
                amount=amount,
                reason=str(params.get("reason", "")),
                actor=run.actor,
            )
        except DomainError as exc:
            raise step_failure(exc) from None
        output = {"out_request_no": key, "amount": f"{refund.amount:.2f}"}
        if refund.status == refund.SUCCEEDED:
            return {**output, "status": refund.status}
        connection = _connection(payment)
        try:
            answer = _client(connection).refund(
                out_trade_no=payment.out_trade_no,
                out_request_no=key,
                amount=refund.amount,
                total=payment.paid_amount or payment.amount,
                reason=refund.reason,
            )
        except ProviderError as exc:
            if not exc.retryable:
                payment_refund_settle(out_request_no=key, succeeded=False, error=exc.message, actor=run.actor)
            raise _provider_failure(exc) from None
        if answer.status != REFUND_SUCCEEDED:
            # Accepted and still processing (WeChat Pay): the same key is sent again on the retry.
            raise RetryableFailure("refund_processing", f"the gateway is still processing refund {key}")
        settled = payment_refund_settle(
            out_request_no=key, succeeded=True, gateway_refund_id=answer.refund_id, actor=run.actor
        )
        return {**output, "status": settled.status}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "amount": str(params.get("amount")), "reason": params.get("reason", "")}


def register_payment_actions() -> None:
    register_connector(ConnectorSpec(key=GROUP, name_en="Payments", name_zh="支付", kind=PAYMENT))
    register(PaymentQuery())
    register(PaymentRefund())
