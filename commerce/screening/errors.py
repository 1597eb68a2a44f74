from django.utils.translation import gettext_lazy as _

from core.errors import Conflict


class NotWaiting(Conflict):
    code = "screening_not_waiting"
    message = _("This order is not waiting in the audit queue: it passed or was rejected already.")
