"""Ticket writes under real concurrency (PostgreSQL): the ticket row lock orders them."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.tickets import services
from commerce.tickets.errors import TicketClosed
from core.actors import Actor
from tests.concurrency import at_once
from tests.factories import TEST_ACTOR, make_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_people_closing_and_taking_one_ticket_at_once():
    ticket = services.ticket_open(
        title="Parcel stalled",
        queue="warehouse",
        priority="high",
        assignee_role="operator",
        due_at=None,
        order_id=None,
        actor=TEST_ACTOR,
    )
    users = [make_user(f"op{i}", "operator") for i in range(10)]

    def work(i: int) -> str:
        try:
            if i % 2:
                services.ticket_close(ticket_id=ticket.pk, actor=Actor.user(users[i]), resolution=f"by op{i}")
            else:
                services.ticket_assign(ticket_id=ticket.pk, user=users[i], actor=Actor.user(users[i]))
        except TicketClosed:
            return "refused"
        return "done"

    refused = [i for i, outcome in enumerate(at_once(work, 10)) if outcome == "refused"]

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    trail = list(AuditEntry.objects.filter(subject_type="ticket", subject_id=str(ticket.pk)).order_by("id"))
    closes = [e for e in trail if e.action == "closed"]
    assigns = [e for e in trail if e.action == "assigned"]
    assert len(closes) == 1
    assert ticket.resolution == closes[0].changes["resolution"]
    # Every take either happened before the close (audited) or was refused after it.
    assert len(assigns) + len(refused) == 5
    assert all(e.id < closes[0].id for e in assigns)
