from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class OrderImportInvalid(InvalidInput):
    """``details`` maps ``"rows[<n>].<field>"`` (row 1 is the header), ``"header"`` or ``"file"`` to what is wrong."""

    code = "invalid_order_import"
    message = _("The order file has errors; nothing was imported. Correct the rows named and upload it again.")


class OrderImportTooLarge(InvalidInput):
    code = "order_import_too_large"
    http_status = 413
    message = _("The order file is too large; nothing was imported. Split it into smaller files.")


class OrderImportInProgress(Conflict):
    """The same file for the same channel is already queued or running; ``details`` names that import."""

    code = "order_import_in_progress"
    message = _("This file is already being imported; follow that import instead of uploading it again.")


class InvalidColumnMapping(InvalidInput):
    code = "invalid_column_mapping"
    message = _("The column mapping is not valid; details name each field to correct.")


class UnknownColumnMapping(NotFound):
    code = "unknown_column_mapping"
    message = _("This channel has no column mapping of that name.")
