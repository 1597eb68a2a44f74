"""``Alert``: an anomaly someone should look at, raised by a rule (``rules``) or the task monitor.

``key`` says what the alert is about (``sync_delay:tmall``); while an alert with that key is open,
raising it again changes nothing — the partial unique constraint, not a lookup, is what keeps two
racing raises to one row. Resolving it (a person, with a note) lets the same key be raised again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

WARNING = "warning"
CRITICAL = "critical"
SEVERITIES = (WARNING, CRITICAL)


class Alert(models.Model):
    rule = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    severity = models.CharField(max_length=8, choices=[(s, s) for s in SEVERITIES])
    channel = models.CharField(max_length=32, blank=True, help_text="The channel code, when about one.")
    title = models.JSONField(help_text='{"zh": …, "en": …}')
    message = models.JSONField(help_text='{"zh": …, "en": …}')
    drilldown = models.JSONField(default=list, blank=True, help_text="[{dimension, rows: [{key, label, value}]}]")
    details = models.JSONField(default=dict, blank=True, help_text="The figures the rule saw.")
    raised_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ("-raised_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="alert_one_open_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.key} ({'resolved' if self.resolved_at else 'open'})"
