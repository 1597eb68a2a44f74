"""How Orderflow talks to PostgreSQL: Django's client-side binding, and prepared statements where asked for.

Statements go out as Django sends them — parameters quoted into the text by psycopg, parsed and
planned by PostgreSQL on every run — except those run through ``commerce.db.prepared_cursor()``:
statements that find their rows by key and run on every order or flow step. Those are sent with
their parameters apart and **prepared** on their connection the first time: PostgreSQL parses
each once and, after a few runs, keeps a generic plan instead of planning it again every time.
Planning was most of the database's CPU for the runtime's one-row statements (a flow run's claim
spent more time being planned than run).

Only those, and the ``INSERT``s of ``commerce.db``'s row writers (one prepared statement per
number of rows; an ``INSERT … VALUES`` has no plan to get wrong, and sent with its parameters
apart it skips psycopg's quoting of each value into the text). A generic plan made while a table
was small can be the wrong one later (a bulk import's ``IN`` lists would scan the table), so
preparing is kept away from searches.

A prepared statement lasts as long as its connection: django-q2's cluster keeps its connections
(``runtime.receivers``) and so does the web server's pool; elsewhere a connection is closed after
each request and the preparation is simply not reused. Restart the workers after a migration
that changes a table those statements return rows of (PostgreSQL refuses a prepared statement
whose result columns changed).
"""

import re
from functools import lru_cache

import psycopg

# ``prepare=True`` (what ``PreparedCursor`` always asks) is ignored on a connection whose
# threshold is ``None`` — Django's default, which turns preparing off altogether. Django's own
# cursors bind on the client and never prepare, whatever this says.
PREPARE_THRESHOLD = 0

_PLACEHOLDER = re.compile(r"%(.|$)", re.DOTALL)


def connection_options() -> dict:
    return {"prepare_threshold": PREPARE_THRESHOLD}


@lru_cache(maxsize=1024)
def native_placeholders(query: str) -> str:
    """``query`` with Django's ``%s`` placeholders numbered as PostgreSQL's own (``$1``, ``$2`` …)
    and ``%%`` as ``%`` — once per statement text, not on every run as psycopg would."""
    number = 0

    def replace(match: re.Match) -> str:
        nonlocal number
        if match.group(1) == "%":
            return "%"
        if match.group(1) == "s":
            number += 1
            return f"${number}"
        raise ValueError(f"a prepared statement takes %s placeholders only, not %{match.group(1)}")

    return _PLACEHOLDER.sub(replace, query)


class PreparedCursor(psycopg.RawCursor):
    """Runs Django-style statements (``%s``) as prepared statements, parameters bound by the server."""

    def execute(self, query, params=None, *, prepare: bool | None = None, binary: bool | None = None):
        return super().execute(native_placeholders(query), params, prepare=True, binary=binary)
