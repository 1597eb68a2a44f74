"""Ticket writes: open, assign, update (priority, queue, who works it), comment, close.

Each service is one transaction that validates, locks the ticket row (``lock_objects``), changes
it and writes its audit entries — on the ticket (subject_type ``"ticket"``) and, for a ticket
linked to an order, on the order too, so the order's timeline shows the ticket's life.

``ticket_open`` and ``ticket_update`` are what the runtime calls for the ``ticket.open`` and
``ticket.update`` flow actions; their signatures are part of that contract.
"""

import re
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.orders.models import Order
from core.accounts.roles import ALL_ROLES
from core.actors import Actor
from core.errors import InvalidInput
from core.time import iso_utc

from . import constants as c
from .errors import TicketClosed
from .lock_objects import ticket_lock
from .models import Ticket, TicketComment

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


QUEUE_RULE = f"a slug of 1 to {c.QUEUE_MAX} letters, digits, '-' or '_', such as {', '.join(c.KNOWN_QUEUES)}"


def _queue_valid(queue) -> bool:
    return isinstance(queue, str) and 0 < len(queue) <= c.QUEUE_MAX and bool(_SLUG.match(queue))


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _clean_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(details={field: "must be text"})
    value = value.strip()
    if required and not value:
        raise InvalidInput(details={field: "may not be blank"})
    if len(value) > max_length:
        raise InvalidInput(details={field: f"at most {max_length} characters"})
    return value


def _open_errors(
    *, title: str, queue: str, priority: str, assignee_role: str, due_at: datetime | None, order_id: int | None
) -> dict:
    errors = {}
    if not isinstance(title, str) or not title:
        errors["title"] = "may not be blank"
    elif len(title) > c.TITLE_MAX:
        errors["title"] = f"at most {c.TITLE_MAX} characters"
    if not _queue_valid(queue):
        errors["queue"] = QUEUE_RULE
    if priority not in c.PRIORITIES:
        errors["priority"] = f"unknown priority {priority!r}; one of {', '.join(c.PRIORITIES)}"
    if assignee_role not in ALL_ROLES:
        errors["assignee_role"] = f"unknown role {assignee_role!r}; one of {', '.join(ALL_ROLES)}"
    if due_at is not None and (not isinstance(due_at, datetime) or timezone.is_naive(due_at)):
        errors["due_at"] = "a time-zone aware date and time (times are stored in UTC)"
    if order_id is not None:
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            errors["order_id"] = "an order id"
        elif not Order.objects.filter(pk=order_id).exists():
            errors["order_id"] = f"no order has id {order_id}"
    return errors


def ticket_open(
    *,
    title: str,
    queue: str,
    priority: str,
    assignee_role: str,
    due_at: datetime | None,
    order_id: int | None,
    actor: Actor,
) -> Ticket:
    """Opens a ticket in ``queue`` for ``assignee_role``, optionally linked to an order.

    Raises ``InvalidInput`` naming every bad field (nothing is written). ``due_at`` must be
    time-zone aware and is stored in UTC. Not idempotent by itself: each call opens a ticket, so
    a caller that retries (the runtime) dedupes with its own key.
    """
    title = title.strip() if isinstance(title, str) else title
    queue = queue.strip() if isinstance(queue, str) else queue
    errors = _open_errors(
        title=title, queue=queue, priority=priority, assignee_role=assignee_role, due_at=due_at, order_id=order_id
    )
    if errors:
        raise InvalidInput(details=errors)
    due_at = due_at.astimezone(UTC) if due_at is not None else None

    with transaction.atomic():
        ticket = Ticket.objects.create(
            title=title,
            queue=queue,
            priority=priority,
            assignee_role=assignee_role,
            due_at=due_at,
            status=c.OPEN,
            order_id=order_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            source=actor.source,
        )
        audit_record(
            subject_type=c.SUBJECT,
            subject_id=ticket.pk,
            action=c.AUDIT_OPENED,
            actor=actor,
            changes={
                "title": title,
                "queue": queue,
                "priority": priority,
                "assignee_role": assignee_role,
                "due_at": iso_utc(due_at),
                "order": order_id,
            },
        )
        if order_id is not None:
            audit_record(
                subject_type="order",
                subject_id=order_id,
                action=c.ORDER_AUDIT_TICKET_OPENED,
                actor=actor,
                changes={
                    "ticket": ticket.pk,
                    "title": title,
                    "queue": queue,
                    "priority": priority,
                    "assignee_role": assignee_role,
                    "due_at": iso_utc(due_at),
                },
            )
    return ticket


def ticket_assign(*, ticket_id: int, user: User, actor: Actor) -> Ticket:
    """Gives the ticket to ``user`` (taking it from whoever had it); an open ticket moves to ``in_progress``.

    Assigning to the current assignee changes nothing and writes no audit entry. A closed
    ticket raises ``TicketClosed``.
    """
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        if ticket.status == c.CLOSED:
            raise TicketClosed(details={"ticket_id": ticket.pk, "status": ticket.status})
        if ticket.assignee_id == user.pk:
            return ticket
        changes: dict = {"assignee": [_username(ticket.assignee), user.get_username()]}
        if ticket.status == c.OPEN:
            changes["status"] = [c.OPEN, c.IN_PROGRESS]
            ticket.status = c.IN_PROGRESS
        ticket.assignee = user
        ticket.save(update_fields=["assignee", "status"])
        audit_record(
            subject_type=c.SUBJECT, subject_id=ticket.pk, action=c.AUDIT_ASSIGNED, actor=actor, changes=changes
        )
    return ticket


def ticket_update(
    *,
    ticket_id: int,
    actor: Actor,
    priority: str | None = None,
    queue: str | None = None,
    assignee_role: str | None = None,
    assignee: str | None = None,
) -> tuple[Ticket, dict]:
    """Raises or lowers the ticket's ``priority``, moves it to ``queue``, gives it to ``assignee_role``
    or to the active user named ``assignee`` (a username); ``None`` leaves a field as it is.

    Answers the ticket and what changed (``{field: [before, after]}``). Idempotent: values the
    ticket already has change nothing and write no audit entry, so a retried step is harmless.
    Raises ``InvalidInput`` naming every bad field, ``TicketNotFound``, or ``TicketClosed`` — in
    every case nothing is written. The ticket row is locked for the change.
    """
    errors = {}
    queue = queue.strip() if isinstance(queue, str) else queue
    if priority is not None and priority not in c.PRIORITIES:
        errors["priority"] = f"unknown priority {priority!r}; one of {', '.join(c.PRIORITIES)}"
    if queue is not None and (
        not isinstance(queue, str) or not queue or len(queue) > c.QUEUE_MAX or not _SLUG.match(queue)
    ):
        errors["queue"] = (
            f"a slug of 1 to {c.QUEUE_MAX} letters, digits, '-' or '_', such as {', '.join(c.KNOWN_QUEUES)}"
        )
    if assignee_role is not None and assignee_role not in ALL_ROLES:
        errors["assignee_role"] = f"unknown role {assignee_role!r}; one of {', '.join(ALL_ROLES)}"
    user = None
    if assignee is not None:
        user = (
            get_user_model().objects.filter(username=assignee, is_active=True).first()
            if isinstance(assignee, str) and 0 < len(assignee) <= 150
            else None
        )
        if user is None:
            errors["assignee"] = f"no active user is named {assignee!r}"
    if priority is None and queue is None and assignee_role is None and assignee is None:
        errors["ticket"] = "nothing to change: give a priority, a queue, an assignee role or an assignee"
    if errors:
        raise InvalidInput(details=errors)
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        if ticket.status == c.CLOSED:
            raise TicketClosed(details={"ticket_id": ticket.pk, "status": ticket.status})
        changes: dict = {}
        for name, value in (("priority", priority), ("queue", queue), ("assignee_role", assignee_role)):
            if value is not None and getattr(ticket, name) != value:
                changes[name] = [getattr(ticket, name), value]
                setattr(ticket, name, value)
        if user is not None and ticket.assignee_id != user.pk:
            changes["assignee"] = [_username(ticket.assignee), user.get_username()]
            ticket.assignee = user
            if ticket.status == c.OPEN:
                changes["status"] = [c.OPEN, c.IN_PROGRESS]
                ticket.status = c.IN_PROGRESS
        if not changes:
            return ticket, {}
        fields = [name for name in ("priority", "queue", "assignee_role", "assignee", "status") if name in changes]
        ticket.save(update_fields=fields)
        audit_record(subject_type=c.SUBJECT, subject_id=ticket.pk, action=c.AUDIT_UPDATED, actor=actor, changes=changes)
        if ticket.order_id is not None:
            audit_record(
                subject_type="order",
                subject_id=ticket.order_id,
                action=c.ORDER_AUDIT_TICKET_UPDATED,
                actor=actor,
                changes={"ticket": ticket.pk, **changes},
            )
    return ticket, changes


def ticket_comment(*, ticket_id: int, body: str, actor: Actor, author: User | None = None) -> TicketComment:
    """Adds a comment — also to a closed ticket, so the story can be completed after the fact.

    ``author`` is the person writing (``None`` for a flow); ``actor.label`` is shown either way.
    The ticket row is locked so comments and a concurrent close are ordered.
    """
    body = _clean_text(body, field="body", max_length=c.COMMENT_MAX, required=True)
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        comment = TicketComment.objects.create(ticket=ticket, author=author, actor_label=actor.label, body=body)
        audit_record(
            subject_type=c.SUBJECT,
            subject_id=ticket.pk,
            action=c.AUDIT_COMMENTED,
            actor=actor,
            changes={"comment": comment.pk, "body": body},
        )
    return comment


def ticket_close(*, ticket_id: int, actor: Actor, resolution: str = "") -> Ticket:
    """Closes the ticket with an optional ``resolution``.

    Idempotent: closing a closed ticket changes nothing and writes no audit entry (the first
    resolution stays). A ticket linked to an order also gets ``ticket_closed`` on the order's trail.
    """
    resolution = _clean_text(resolution, field="resolution", max_length=c.RESOLUTION_MAX, required=False)
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        if ticket.status == c.CLOSED:
            return ticket
        previous = ticket.status
        ticket.status = c.CLOSED
        ticket.closed_at = timezone.now()
        ticket.resolution = resolution
        ticket.save(update_fields=["status", "closed_at", "resolution"])
        audit_record(
            subject_type=c.SUBJECT,
            subject_id=ticket.pk,
            action=c.AUDIT_CLOSED,
            actor=actor,
            changes={"status": [previous, c.CLOSED], "resolution": resolution},
        )
        if ticket.order_id is not None:
            audit_record(
                subject_type="order",
                subject_id=ticket.order_id,
                action=c.ORDER_AUDIT_TICKET_CLOSED,
                actor=actor,
                changes={"ticket": ticket.pk, "title": ticket.title, "resolution": resolution},
            )
    return ticket
