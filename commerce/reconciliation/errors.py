from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound


class DifferenceNotFound(NotFound):
    code = "not_found"
    message = _("No reconciliation difference has this id.")


class DifferenceNotOpen(Conflict):
    code = "difference_not_open"
    message = _("This difference is not open: it was resolved already, or a later run cleared it.")


class DayNotReconciled(NotFound):
    code = "not_reconciled"
    message = _("This day has not been reconciled yet: run it first.")
