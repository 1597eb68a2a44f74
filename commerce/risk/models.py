from django.conf import settings
from django.db import models

from commerce.orders.models import Order


class RiskRule(models.Model):
    """A JsonLogic condition over an arriving order's facts (``facts.FIELDS``); true holds the order.

    The default rules are data (migration ``0002_default_rules``); admins edit conditions in the
    flows' visual condition builder, switch rules off, and read each rule's false-positive rate.
    """

    key = models.SlugField(max_length=48, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    condition = models.JSONField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.key


class RiskHit(models.Model):
    """One rule that held one order, with the facts it read (its evidence), and the review's decision.

    An approved hit was a false positive: the rule's false-positive rate is approved / decided.
    """

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    STATES = [(PENDING, "pending"), (APPROVED, "approved"), (REJECTED, "rejected")]

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="risk_hits")
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="hits")
    evidence = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=["order", "rule"], name="risk_hit_once_per_rule")]
        indexes = [models.Index(fields=["state", "-created_at"], name="risk_hit_state_idx")]


class RiskSighting(models.Model):
    """An arriving order's keys, normalised, for the window counts (orders per IP in 10 minutes,
    accounts per phone or address): written under the keys' locks (``lock_objects``)."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="risk_sighting")
    seen_at = models.DateTimeField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address_key = models.CharField(max_length=300, blank=True)
    cluster_key = models.CharField(max_length=300, blank=True)
    account_key = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["client_ip", "seen_at"], name="risk_sighting_ip_idx"),
            models.Index(fields=["phone", "seen_at"], name="risk_sighting_phone_idx"),
            models.Index(fields=["address_key", "seen_at"], name="risk_sighting_address_idx"),
            models.Index(fields=["cluster_key", "seen_at"], name="risk_sighting_cluster_idx"),
        ]


class BlacklistEntry(models.Model):
    PHONE = "phone"
    ADDRESS = "address"
    ACCOUNT = "account"
    IP = "ip"
    KINDS = [(PHONE, "phone"), (ADDRESS, "address"), (ACCOUNT, "account"), (IP, "ip")]

    kind = models.CharField(max_length=8, choices=KINDS)
    value = models.CharField(max_length=300, help_text="Normalised as the facts read it (facts.normalised).")
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="risk_blacklist_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
