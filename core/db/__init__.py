"""Database helpers that are about PostgreSQL's behaviour, not about any model.

**Plans for bulk work.** psycopg prepares a statement once it has run 5 times on its connection
(``orderflow/settings.py``), and PostgreSQL then keeps a *generic* plan for it when that plan
looks no dearer than planning each run (``plan_cache_mode = auto``, its default). The plan is
made again whenever the tables' statistics change (an ``ANALYZE``), which is right for the
requests and flow steps that make up the day. It is wrong inside one transaction that fills a
table and then reads it with the same statement over and over — a 100,000-row stock import, a
reconciliation, a KPI rebuild: the statistics still describe the table as it was before, and a
plan made for a handful of rows goes on scanning it once it holds a hundred thousand (the stock
import's 100,000-row test takes 233 s with one instead of 25 s). Such a transaction calls
``custom_plans()`` first.
"""

from django.db import connection


def custom_plans() -> None:
    """Until the current transaction ends, PostgreSQL plans every statement for its own values
    (``SET LOCAL plan_cache_mode = force_custom_plan``); nothing elsewhere. Call it inside the
    transaction; on SQLite, which keeps no plans across statements, it does nothing."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("custom_plans() is for the transaction it is called in; open one first")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
