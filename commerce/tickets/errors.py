from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound


class TicketNotFound(NotFound):
    message = _("No ticket has this id.")


class TicketClosed(Conflict):
    code = "ticket_closed"
    message = _("The ticket is closed.")
