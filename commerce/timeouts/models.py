from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from commerce.channels.models import Channel
from commerce.orders import statuses
from commerce.orders.models import Order

MAX_MINUTES = 30 * 24 * 60
# The statuses an order waits in: a rule on a final status would never mean anything.
WAITING = (statuses.PENDING_PAYMENT, statuses.PAID, statuses.PROCESSING, statuses.SHIPPED, statuses.DELIVERED)


class TimeoutRule(models.Model):
    """An order in ``status`` for ``minutes`` times out; optionally only on one channel, or only when
    it holds goods of one product ``category`` (fresh goods: 30 minutes instead of 2 hours)."""

    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=[(s, s) for s in WAITING])
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)])
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=32, blank=True, help_text="A product category; empty: any goods.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("minutes", "id")
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gte=1), name="timeout_rule_minutes_positive"),
        ]


class OrderTimeout(models.Model):
    """That an order timed out under a rule, once per stay in the status (``status_changed_at``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(TimeoutRule, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(max_length=20)
    status_changed_at = models.DateTimeField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "rule", "status_changed_at"], name="order_timeout_once_per_stay"),
        ]
