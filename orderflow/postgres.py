"""How Orderflow talks to PostgreSQL: parameters bound by the server, chosen statements prepared.

``settings`` gives every PostgreSQL connection ``OPTIONS`` from ``connection_options()``:

- **server-side binding** — psycopg sends the statement and its parameters apart (the extended
  protocol) instead of quoting the parameters into the text; a statement can then be prepared;
- **prepared only where asked for** — a statement run through ``commerce.db.prepared_cursor()``
  is prepared on its connection the first time: PostgreSQL parses it once and, after a few runs,
  keeps a generic plan instead of planning it again on every run. Planning was most of the
  database's CPU for the runtime's one-row statements (a flow run's claim spent more time being
  planned than run). Every other statement is planned per run, as before: a generic plan made
  while a table was small can be the wrong one later (a bulk import's ``IN`` lists would scan
  the table), so preparing is kept to statements that find their rows by key.

A prepared statement lasts as long as its connection: django-q2's cluster keeps its connections
(``runtime.receivers``) and so does the web server's pool; elsewhere a connection is closed after
each request and the preparation is simply not reused. Restart the workers after a migration
that changes a table those statements return rows of (PostgreSQL refuses a prepared statement
whose result columns changed).
"""

import psycopg

# psycopg prepares a statement once it has run this many times on a connection — unless the
# cursor says otherwise, and ``PreparingCursor`` always does. Not ``None``: that would turn
# preparing off altogether, ``prepared_cursor()`` included.
PREPARE_THRESHOLD = 0


class PreparingCursor(psycopg.Cursor):
    """A server-binding cursor that prepares its statements only when ``prepare_statements`` is set."""

    prepare_statements = False

    def execute(self, query, params=None, *, prepare: bool | None = None, binary: bool | None = None):
        if prepare is None:
            prepare = self.prepare_statements
        return super().execute(query, params, prepare=prepare, binary=binary)


def connection_options() -> dict:
    return {"server_side_binding": True, "cursor_factory": PreparingCursor, "prepare_threshold": PREPARE_THRESHOLD}
