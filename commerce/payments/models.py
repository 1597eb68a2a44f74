"""Payments of orders through a gateway (Alipay, WeChat Pay), their refunds, and the sweeps that verify them.

``Payment``: one attempt to pay one order through one gateway. ``out_trade_no`` — the merchant's
trade number the gateway knows the attempt by — is unique: a gateway's notify, a query's answer and
the sweep all find the attempt by it. ``notifications`` keeps what the gateway said about it (the
raw notify parameters and query answers: they carry no secret), newest last, at most
``MAX_NOTIFICATIONS``.

``PaymentRefund``: one refund request; ``out_request_no`` is the idempotency key sent to the
gateway (Alipay's ``out_request_no``, WeChat Pay's ``out_refund_no``), unique: a retried refund
finds its row and sends the same key again, so the gateway moves the money once.

``PaymentSweep``: what one run of the payment verification robot checked, repaired and could not
reach.

The gateway connection is kept as its id (``connection_id``): the domain does not import the
connectors that own it.
"""

from decimal import Decimal

from django.db import models

from commerce.orders.models import Order

MAX_NOTIFICATIONS = 50


class Payment(models.Model):
    PENDING = "pending"
    PAID = "paid"
    MISMATCHED = "mismatched"  # the gateway took an amount other than the order's total: the order is held
    FAILED = "failed"
    CLOSED = "closed"
    REFUNDED_PARTIALLY = "refunded_partially"
    REFUNDED = "refunded"
    STATUSES = [(s, s) for s in (PENDING, PAID, MISMATCHED, FAILED, CLOSED, REFUNDED_PARTIALLY, REFUNDED)]
    # Money was taken: a refund may go back through the gateway.
    MONEY_TAKEN = (PAID, MISMATCHED, REFUNDED_PARTIALLY)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveSmallIntegerField()
    gateway = models.CharField(max_length=32, help_text="The gateway connector's key (alipay, wechatpay).")
    connection_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The gateway connection.")
    out_trade_no = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="What the order asked for.")
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING)
    paid_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="What the gateway says was paid."
    )
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=32, blank=True, help_text="notify, sweep, query, …")
    notifications = models.JSONField(default=list, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["order", "attempt"], name="payment_unique_attempt"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_age_idx")]

    def __str__(self) -> str:
        return self.out_trade_no


class PaymentRefund(models.Model):
    REQUESTED = "requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STATUSES = [(s, s) for s in (REQUESTED, SUCCEEDED, FAILED)]

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    out_request_no = models.CharField(max_length=64, unique=True, help_text="The gateway's idempotency key.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=REQUESTED)
    gateway_refund_id = models.CharField(max_length=64, blank=True)
    succeeded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the gateway's answer said the money went back (reconciliation's day)."
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_refund_amount_positive")]
        indexes = [models.Index(fields=["succeeded_at"], name="payment_refund_succeeded_idx")]

    def __str__(self) -> str:
        return self.out_request_no


class PaymentSweep(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    repaired = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    unconfirmed = models.PositiveIntegerField(default=0, help_text="Attempts still unconfirmed after the sweep.")
    alerted = models.BooleanField(default=False)
    details = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
