from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from commerce.orders.models import Order
from core.accounts.roles import ALL_ROLES

from . import constants as c

ROLE_CHOICES = [(role, role) for role in ALL_ROLES]


class Ticket(models.Model):
    """A piece of work for a person: check a parcel, call a customer, approve an exception.

    Flows open tickets (the ``ticket.open`` action) and operators work them. Rows change only
    through ``services``, each change audited; ``actor_*`` and ``source`` record who opened it.
    """

    title = models.CharField(max_length=c.TITLE_MAX)
    queue = models.SlugField(max_length=c.QUEUE_MAX)
    priority = models.CharField(max_length=8, choices=c.PRIORITY_CHOICES, default=c.NORMAL)
    assignee_role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=c.STATUS_CHOICES, default=c.OPEN)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    resolution = models.CharField(max_length=c.RESOLUTION_MAX, blank=True)
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=c.CLOSED, closed_at__isnull=False)
                | (~Q(status=c.CLOSED) & Q(closed_at__isnull=True)),
                name="ticket_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["queue", "status"], name="ticket_queue_status_idx"),
            models.Index(fields=["assignee_role", "status"], name="ticket_role_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now and self.status != c.CLOSED


class TicketComment(models.Model):
    """A note on a ticket, by a person (``author``) or by a flow (no author; ``actor_label`` names it)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket_comments"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    body = models.TextField(max_length=c.COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"ticket #{self.ticket_id}: {self.body[:40]}"
