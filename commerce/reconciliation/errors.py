from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, DomainError, InvalidInput, NotFound


class DifferenceNotFound(NotFound):
    code = "not_found"
    message = _("No reconciliation difference has this id.")


class DifferenceNotOpen(Conflict):
    code = "difference_not_open"
    message = _("This difference is not open: it was resolved already, or a later run cleared it.")


class DayNotReconciled(NotFound):
    code = "not_reconciled"
    message = _("This day has not been reconciled yet: run it first.")


class StatementInvalid(InvalidInput):
    code = "invalid_statement"
    message = _("The statement cannot be read: nothing was stored. See the errors (row and column).")


class StatementTooLarge(DomainError):
    code = "statement_too_large"
    http_status = 413
    message = _("The statement file is too large.")
