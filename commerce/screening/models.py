from django.conf import settings
from django.db import models

from commerce.orders.models import Order


class ScreeningRuleSet(models.Model):
    """One version of the checks a paid order must pass before it goes to the warehouse.

    ``document`` is ``{"checks": [{"key", "name_zh", "name_en", "condition"}]}``; each condition is
    a JsonLogic rule over the order's facts (``facts.FIELDS``) that must hold. Versions are never
    changed: saving writes the next one, and each case names the version it was judged by.
    """

    version = models.PositiveIntegerField(unique=True)
    document = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-version",)

    def __str__(self) -> str:
        return f"v{self.version}"


class ScreeningCase(models.Model):
    """An order at the warehouse gate: passed (automatically or by an operator), waiting in the
    audit queue with the checks it failed, or rejected (cancelled)."""

    WAITING = "waiting"
    PASSED = "passed"
    REJECTED = "rejected"
    STATES = [(WAITING, "waiting"), (PASSED, "passed"), (REJECTED, "rejected")]

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="screening")
    state = models.CharField(max_length=10, choices=STATES)
    automatic = models.BooleanField(default=True, help_text="Passed by the rules, not by a person.")
    ruleset_version = models.PositiveIntegerField()
    reasons = models.JSONField(default=list, help_text="The checks the order failed: key and names.")
    facts = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        indexes = [models.Index(fields=["state", "-updated_at"], name="screening_state_idx")]
