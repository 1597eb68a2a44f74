from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from . import constants as c
from .errors import TicketNotFound
from .models import Ticket, TicketComment


def ticket_list(*, filters: dict | None = None, viewer=None, now: datetime | None = None) -> QuerySet[Ticket]:
    """Tickets with what their representation needs (assignee, order) in one query.

    ``filters`` keys: queue, status (one or a list), assignee_role, order (id), mine (tickets
    assigned to ``viewer``), overdue (bool: due before ``now`` and not closed).
    """
    qs = Ticket.objects.select_related("assignee", "order")
    f = filters or {}
    if f.get("queue"):
        qs = qs.filter(queue=f["queue"])
    if f.get("status"):
        qs = (
            qs.filter(status__in=f["status"])
            if isinstance(f["status"], list | tuple)
            else qs.filter(status=f["status"])
        )
    if f.get("assignee_role"):
        qs = qs.filter(assignee_role=f["assignee_role"])
    if f.get("order"):
        qs = qs.filter(order_id=f["order"])
    if f.get("mine"):
        qs = qs.filter(assignee_id=viewer.pk) if viewer is not None else qs.none()
    if f.get("overdue") is not None:
        overdue = Q(due_at__lt=now or timezone.now()) & ~Q(status=c.CLOSED)
        qs = qs.filter(overdue) if f["overdue"] else qs.exclude(overdue)
    return qs


def ticket_get(*, ticket_id: int) -> Ticket:
    """One ticket with its comments (and their authors), oldest comment first."""
    ticket = (
        ticket_list()
        .prefetch_related(
            Prefetch("comments", queryset=TicketComment.objects.select_related("author").order_by("created_at", "id"))
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise TicketNotFound(details={"ticket_id": ticket_id})
    return ticket
