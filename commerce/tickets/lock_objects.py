"""Row locks for tickets.

A ticket service locks the ticket row and nothing else: the linked order is only *read* (its
audit entry does not change the order row), so tickets never queue behind order work.
"""

from .errors import TicketNotFound
from .models import Ticket


def ticket_lock(ticket_id: int) -> Ticket:
    """The ticket row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").filter(pk=ticket_id).first()
    if ticket is None:
        raise TicketNotFound(details={"ticket_id": ticket_id})
    return ticket
