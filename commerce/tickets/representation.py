"""The one JSON shape of a ticket, for the REST API (and for flows that read a ticket)."""

from datetime import datetime

from django.utils import timezone

from core.time import iso_utc

from .models import Ticket, TicketComment


def _user(user) -> dict | None:
    return {"id": user.pk, "username": user.get_username()} if user is not None else None


def comment_representation(comment: TicketComment) -> dict:
    return {
        "id": comment.pk,
        "author": _user(comment.author),
        "actor_label": comment.actor_label,
        "body": comment.body,
        "created_at": iso_utc(comment.created_at),
    }


def ticket_representation(ticket: Ticket, *, now: datetime | None = None, with_comments: bool = False) -> dict:
    """``overdue``: due before ``now`` (default: this moment) and not closed."""
    body = {
        "id": ticket.pk,
        "title": ticket.title,
        "queue": ticket.queue,
        "priority": ticket.priority,
        "status": ticket.status,
        "assignee_role": ticket.assignee_role,
        "assignee": _user(ticket.assignee),
        "due_at": iso_utc(ticket.due_at),
        "overdue": ticket.is_overdue(now or timezone.now()),
        "order": ticket.order_id,
        "order_number": ticket.order.number if ticket.order is not None else None,
        "created_by": {
            "kind": ticket.actor_kind,
            "id": ticket.actor_id,
            "label": ticket.actor_label,
            "source": ticket.source,
        },
        "resolution": ticket.resolution,
        "created_at": iso_utc(ticket.created_at),
        "closed_at": iso_utc(ticket.closed_at),
    }
    if with_comments:
        body["comments"] = [comment_representation(comment) for comment in ticket.comments.all()]
    return body
