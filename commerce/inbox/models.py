from django.conf import settings
from django.db import models

from commerce.orders.models import Order
from core.accounts.roles import ALL_ROLES

TITLE_MAX = 200
BODY_MAX = 4000
ROLE_CHOICES = [(role, role) for role in ALL_ROLES]


class Notification(models.Model):
    """A message to everyone holding ``to_role`` — from a flow (``notify.inbox``) or the system.

    Written only by ``services.inbox_notify`` and never changed; whether a person has read it is
    their own ``NotificationRead`` row, so one reader does not mark it read for the rest.
    """

    to_role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications")
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["to_role", "-created_at", "-id"], name="notification_role_idx")]

    def __str__(self) -> str:
        return f"@{self.to_role}: {self.title}"


class NotificationRead(models.Model):
    """One person has read one notification (at ``read_at``). At most one row per pair."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="notification_read_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notification_id}"
