"""Ticket writes under real concurrency (PostgreSQL): the ticket row lock orders them."""

import threading

import pytest
from django.db import connection

from commerce.audit.actors import Actor
from commerce.audit.models import AuditEntry
from commerce.tickets import services
from commerce.tickets.errors import TicketClosed
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
    barrier = threading.Barrier(10)
    refused, errors = [], []

    def work(i: int):
        try:
            barrier.wait(timeout=10)
            if i % 2:
                services.ticket_close(ticket_id=ticket.pk, actor=Actor.user(users[i]), resolution=f"by op{i}")
            else:
                services.ticket_assign(ticket_id=ticket.pk, user=users[i], actor=Actor.user(users[i]))
        except TicketClosed:
            refused.append(i)
        except Exception as exc:  # noqa: BLE001 — any other error fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
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
