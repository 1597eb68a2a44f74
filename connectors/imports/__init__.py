"""Orders from files: channels that export orders (JD-style CSV or .xlsx) instead of pushing them.

One service for ``manage.py import_orders FILE --channel jd`` and ``POST /api/v1/order-imports/``:

- ``parse``: the file as rows of text — CSV in UTF-8 (with or without BOM) or GBK, or the first
  sheet of an .xlsx read with openpyxl in read-only mode — refusing what is not such a file (an
  .xlsx that is not a zip, or unpacks to far more than an export would: a zip bomb), and the
  limits (``MAX_FILE_BYTES``, ``MAX_ROWS``, lengths);
- ``mapping``: which column holds which order field and what the channel's status words mean
  (``ColumnMapping``, or the built-in one); rows that share ``external_id`` become one order;
- ``apply``: every row checked first (shape, then the catalog) — one bad row imports nothing and
  every bad row is named — then each order through the order centre's ``order_ingest``;
- ``jobs``: the ``OrderImport`` an upload becomes, run by a django-q2 task (or in the command's
  own process), its progress, its lease, and lost runs failed.

This ``__init__`` imports nothing: ``connectors.models`` imports ``imports.models`` while Django
loads the models, which must not pull in the order centre's services.
"""
