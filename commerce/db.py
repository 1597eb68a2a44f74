"""Row writers and readers that remain only for ``runtime/`` until it moves to the ORM.

Nothing in ``commerce`` uses them any more; they go when the runtime stops importing them
(``prepared_cursor``, ``rows_insert``, ``rows_insert_new``, ``insert_ctes``, ``model_reader``).

The row writers send plain ``INSERT`` statements whose values the model fields prepare as the ORM
would (``pre_save``, ``get_db_prep_save``); ``model_reader`` reads whole rows into model
instances as a queryset would (``Model.from_db``). They send no signals and rely on
``INSERT … RETURNING`` (PostgreSQL, and SQLite from 3.35).
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.fields import AutoFieldMixin

_PLACEHOLDER = re.compile(r"%(.|$)", re.DOTALL)


@lru_cache(maxsize=1024)
def _native_placeholders(query: str) -> str:
    """``query`` with Django's ``%s`` placeholders numbered as PostgreSQL's own (``$1``, ``$2`` …)
    and ``%%`` as ``%``."""
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


class _PreparedCursor(psycopg.RawCursor):
    """Runs Django-style statements (``%s``) as prepared statements, parameters bound by the server.
    ``prepare=True`` needs a connection whose ``prepare_threshold`` is not ``None`` (settings.py)."""

    def execute(self, query, params=None, *, prepare: bool | None = None, binary: bool | None = None):
        return super().execute(_native_placeholders(query), params, prepare=True, binary=binary)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor whose statements PostgreSQL prepares on this connection: parsed once, and planned
    once it has settled on a generic plan. For statements that find their
    rows by key and run on every order or flow step, and for the row writers' ``INSERT``s (an
    ``INSERT … VALUES`` has no plan to get wrong); a plain cursor elsewhere (and on SQLite)."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            yield cursor
        return
    # Opened and checked as ``connection.cursor()`` does, over a ``_PreparedCursor`` instead.
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    raw = _PreparedCursor(conn.connection)
    wrapper = _PreparedDebugWrapper if conn.queries_logged else CursorWrapper
    with wrapper(raw, conn) as cursor:
        yield cursor


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement as written (``%s`` placeholders): psycopg keeps no text of the
    prepared statements it runs, which is where Django's query log looks."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


class _Insert:
    """What every ``INSERT`` of one model repeats, worked out once per model and database: the
    statement's head and how to read each value.

    Each value is what ``field.get_db_prep_save(field.pre_save(obj, True), connection)`` gives, as
    ``save()`` would send it. That chain is most of the writers' Python, so for the values it
    passes through unchanged it is skipped: a ``str`` for Django's own text fields, a ``bool``
    for its boolean field, an ``int`` key for a foreign key to an automatic primary key, and
    ``None`` for all of these (``_stored_as_is``). ``pre_save`` runs only where a field has its own.
    """

    def __init__(self, model: type[models.Model], conn):
        quote = conn.ops.quote_name
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)})"
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.readers = [
            (f, f.attname, type(f).pre_save is not models.Field.pre_save, _stored_as_is(f)) for f in self.fields
        ]

    def values(self, obj: models.Model, conn) -> list:
        values = []
        for field, attname, own_pre_save, as_is in self.readers:
            value = field.pre_save(obj, True) if own_pre_save else getattr(obj, attname)
            if as_is and (value is None or type(value) in as_is):
                values.append(value)
            else:
                values.append(field.get_db_prep_save(value, conn))
        return values


def _stored_as_is(field: models.Field) -> tuple[type, ...]:
    """The value types ``field.get_db_prep_save`` returns unchanged (and ``None`` with them), or
    ``()``: decided from Django's own methods, so a field class overriding one gets ``()``."""
    cls = type(field)
    if isinstance(field, models.ForeignKey):
        target = type(field.target_field)
        automatic_key = (
            target.get_db_prep_value is AutoFieldMixin.get_db_prep_value
            and target.get_prep_value is models.IntegerField.get_prep_value
        )
        return (int,) if automatic_key and cls.get_db_prep_save is models.ForeignKey.get_db_prep_save else ()
    if (
        cls.get_db_prep_save is not models.Field.get_db_prep_save
        or cls.get_db_prep_value is not models.Field.get_db_prep_value
    ):
        return ()
    if cls.get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value):
        return (str,)
    if cls.get_prep_value is models.BooleanField.get_prep_value:
        return (bool,)
    return ()


_inserts: dict[tuple[type, str], _Insert] = {}


def _insert(model: type[models.Model], conn) -> _Insert:
    plan = _inserts.get((model, conn.vendor))
    if plan is None:
        plan = _inserts[(model, conn.vendor)] = _Insert(model, conn)
    return plan


def _saved(obj: models.Model, key) -> models.Model:
    """``obj`` with its new primary key, counted as saved (as after ``save()``)."""
    obj.pk = key
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return obj


def _returning_pk(model: type[models.Model]) -> str:
    return f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"


def insert_sql(objs: list[models.Model]) -> tuple[str, list]:
    """The ``INSERT`` of unsaved instances of one model, all columns but the key, and its parameters."""
    # The thread's connection itself, not the ``connection`` proxy: every field of every row uses it.
    conn = connections[DEFAULT_DB_ALIAS]
    plan = _insert(type(objs[0]), conn)
    sql = f"{plan.head} VALUES " + ", ".join([plan.row] * len(objs))
    return sql, [value for obj in objs for value in plan.values(obj, conn)]


def insert_ctes(*groups: list[models.Model]) -> tuple[str, list]:
    """The ``INSERT`` of each non-empty list as a data-modifying ``WITH`` query (PostgreSQL):
    ``w0 AS (…), w1 AS (…)`` for a statement to carry, and the parameters, in that order."""
    parts = [insert_sql(objs) for objs in groups if objs]
    sql = ", ".join(f"w{i} AS ({part})" for i, (part, _p) in enumerate(parts))
    return sql, [param for _part, params in parts for param in params]


_readers: dict[tuple, tuple[str, Callable[[tuple], models.Model]]] = {}


def model_reader(model: type[models.Model], *, alias: str = "") -> tuple[str, Callable[[tuple], models.Model]]:
    """The select list of every concrete column of ``model`` (prefixed ``alias.`` if given), and a
    function that makes a model instance of such a row, values converted as a queryset would."""
    key = (model, alias, connection.vendor)
    reader = _readers.get(key)
    if reader is None:
        reader = _readers[key] = _model_reader(model, alias)
    return reader


def _model_reader(model: type[models.Model], alias: str) -> tuple[str, Callable[[tuple], models.Model]]:
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    columns = [f.get_col(model._meta.db_table) for f in fields]
    converters = [
        (i, col, funcs)
        for i, col in enumerate(columns)
        if (funcs := [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)])
    ]
    names = [f.attname for f in fields]

    def instance(row: tuple) -> models.Model:
        if converters:
            conn = connections[DEFAULT_DB_ALIAS]
            row = list(row)
            for i, col, funcs in converters:
                for convert in funcs:
                    row[i] = convert(row[i], col, conn)
        return model.from_db("default", names, row)

    return ", ".join(prefix + quote(f.column) for f in fields), instance


def rows_insert(*groups: list[models.Model], keys_for_last: bool = False) -> None:
    """``INSERT`` of unsaved model instances, one list per model; their ``pk`` stays unset, except
    in the last list with ``keys_for_last`` (``RETURNING`` them, in the order of the rows).

    One statement per list — on PostgreSQL one for all of them (the first ones as data-modifying
    ``WITH`` queries). Constraint violations raise ``IntegrityError`` as ``bulk_create`` would.
    """
    groups = tuple(objs for objs in groups if objs)
    if not groups:
        return
    if len(groups) > 1 and connection.vendor == "postgresql":
        ctes, params = insert_ctes(*groups[:-1])
        last, last_params = insert_sql(groups[-1])
        parts = [(f"WITH {ctes} {last}", [*params, *last_params])]
    else:
        parts = [insert_sql(objs) for objs in groups]
    returning = _returning_pk(type(groups[-1][0])) if keys_for_last else ""
    with prepared_cursor() as cursor:
        for sql, params in parts[:-1]:
            cursor.execute(sql, params)
        sql, params = parts[-1]
        cursor.execute(sql + returning, params)
        if keys_for_last:
            keys = cursor.fetchall()
    if keys_for_last:
        for obj, (key,) in zip(groups[-1], keys, strict=True):
            _saved(obj, key)


def rows_insert_new(objs: list[models.Model], *, returning: str) -> list[tuple] | None:
    """``INSERT`` of unsaved instances of one model that skips rows hitting a unique constraint;
    answers the ``returning`` columns of the rows it did insert — or ``None`` where the database
    cannot answer them (then it inserted nothing)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        return None
    sql, params = insert_sql(objs)
    with prepared_cursor() as cursor:
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING {returning}", params)
        return cursor.fetchall()
