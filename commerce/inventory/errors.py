from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    message = _("Not enough stock to reserve this order.")

    def __init__(self, *, sku: str, requested: int, available: int, line: int | None = None):
        details = {"sku": sku, "requested": requested, "available": available}
        if line is not None:
            details["line"] = line
        super().__init__(details=details)


class UnknownWarehouse(NotFound):
    code = "unknown_warehouse"
    message = _("No active warehouse has this code.")


class StockBelowZero(InvalidInput):
    code = "stock_below_zero"
    message = _("This adjustment would take stock below zero or below what is reserved.")


class StockImportInvalid(InvalidInput):
    """``details`` maps ``"rows[<n>].<column>"`` (row 1 is the header) or ``"header"``/``"file"`` to what is wrong."""

    code = "invalid_stock_import"
    message = _("The stock file has errors; nothing was imported.")


class StockImportTooLarge(InvalidInput):
    code = "stock_import_too_large"
    http_status = 413
    message = _("The stock file has too many rows; nothing was imported. Split it into smaller files.")
