from django.utils.translation import gettext_lazy as _

from core.errors import Conflict


class NotWaiting(Conflict):
    code = "screening_not_waiting"
    message = _("This order is not waiting in the audit queue: it passed or was rejected already.")


class AwaitingAudit(Conflict):
    code = "awaiting_audit"
    message = _(
        "This order has not passed the smart audit, so it cannot go to the warehouse yet: it waits in the "
        "audit queue with the checks it failed. Fix them (or pass it in the audit queue) and try again."
    )
