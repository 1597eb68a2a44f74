"""Stock levels from a CSV file: one service for ``manage.py import_stock FILE`` and ``POST /api/v1/inventory/import/``.

Each row of the file sets one stock row's ``on_hand`` (a count: the absolute number on the shelf)
and ``safety_stock``. All or nothing: every row is checked first — columns, whole non-negative
numbers, known SKU and active warehouse, no (sku, warehouse) twice, ``on_hand`` not below what is
reserved — and one bad row refuses the whole file with every error named by row.

- ``parse``: reading the file and checking each row's shape (``stock_levels_read``);
- ``apply``: checking the rows against the database and applying them in one transaction under
  the stock rows' locks (``stock_levels_apply``, and ``stock_import`` for both steps);
- ``jobs``: uploads — small files in the request, large ones stored as a ``StockImport`` and
  applied by a django-q2 task under a lease that a lost task loses (``stock_import_upload``,
  ``stock_import_run``, ``stock_imports_fail_lost``).
"""

from .apply import StockImportResult, stock_import
from .jobs import (
    SYNC_MAX_ROWS,
    StockImportInProgress,
    stock_import_failure_message,
    stock_import_run,
    stock_import_run_task,
    stock_import_upload,
    stock_imports_fail_lost,
)
from .parse import HEADER, MAX_ROWS

__all__ = [
    "HEADER",
    "MAX_ROWS",
    "SYNC_MAX_ROWS",
    "StockImportInProgress",
    "StockImportResult",
    "stock_import",
    "stock_import_run",
    "stock_import_run_task",
    "stock_import_failure_message",
    "stock_import_upload",
    "stock_imports_fail_lost",
]
