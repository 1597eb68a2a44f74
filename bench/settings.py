"""Benchmark settings: the project's own settings plus the bench-only baseline app and URLs.

The harness sets ``DATABASE_URL`` to a throwaway PostgreSQL database before Django starts, so
middleware, DRF and the domain code are exactly what production runs. ``BENCH_DB_CONN`` picks how
the server processes hold database connections:

- ``project`` (unset): the project's settings as they are — since ``orderflow.asgi`` sets
  ``ORDERFLOW_DB_POOL``, the web server's connections come from Django's psycopg pool;
- ``pool``: Django's psycopg connection pool (``OPTIONS["pool"]``) with ``CONN_MAX_AGE = 0``
  stated here whatever the project does — what Django recommends under ASGI, where every request
  runs in a thread of its own and a per-thread persistent connection is opened anew for each
  request and then lingers until it is garbage-collected;
- ``per-request``: ``CONN_MAX_AGE = 0`` without a pool, a new connection for every request.

``BENCH_PG_BINDING=client`` is a what-if: nothing prepared (Django's ``prepare_threshold`` of
``None``), so PostgreSQL parses and plans every statement anew, instead of the project's
database options (``orderflow/settings.py``) as they are.
"""

import os

# A development install: without SECRET_KEY, the key generated once into the var dir (orderflow.settings).
os.environ.setdefault("ORDERFLOW_DEV", "1")

from orderflow.settings import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.bareinsert"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

_default_db = DATABASES["default"]  # noqa: F405

BENCH_DB_CONN = os.environ.get("BENCH_DB_CONN", "project")
if BENCH_DB_CONN == "pool":
    _default_db["CONN_MAX_AGE"] = 0
    _default_db.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 12, "timeout": 30}
elif BENCH_DB_CONN == "per-request":
    _default_db["CONN_MAX_AGE"] = 0
    _default_db.get("OPTIONS", {}).pop("pool", None)
elif BENCH_DB_CONN != "project":
    raise ValueError(f"BENCH_DB_CONN must be project, pool or per-request, not {BENCH_DB_CONN!r}")

BENCH_PG_BINDING = os.environ.get("BENCH_PG_BINDING", "project")
if BENCH_PG_BINDING == "client":
    _default_db.get("OPTIONS", {}).pop("prepare_threshold", None)
elif BENCH_PG_BINDING != "project":
    raise ValueError(f"BENCH_PG_BINDING must be project or client, not {BENCH_PG_BINDING!r}")
