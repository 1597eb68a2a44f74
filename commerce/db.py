"""Database helpers the commerce services (and the runtime) share.

The row writers below send plain ``INSERT`` statements whose values the model fields prepare
exactly as the ORM would (``pre_save`` for ``auto_now_add`` and friends, ``get_db_prep_save``
for JSON, decimals and time zones), and ``objects_where`` reads whole rows into model instances
as a queryset would (``Model.from_db``). They exist for the statements run on every order and
every flow step — audit entries, outbox events, order lines, step records, the channel, product
and customer look-ups — where composing the statement through the ORM's SQL compiler costs
several times what running it does. Everything else uses the ORM. They send no ``pre_save`` or
``post_save`` signals; nothing in Orderflow listens for those on these models.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

_fields_of: dict[type, list] = {}


def _insert_fields(model: type[models.Model]) -> list:
    fields = _fields_of.get(model)
    if fields is None:
        fields = _fields_of[model] = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields


def insert_sql(objs: list[models.Model]) -> tuple[str, list]:
    """The ``INSERT`` of unsaved instances of one model, all columns but the key, and its parameters."""
    model = type(objs[0])
    fields = _insert_fields(model)
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
        + ", ".join([row] * len(objs))
    )
    # The thread's connection itself, not the ``connection`` proxy: every field of every row uses it.
    conn = connections[DEFAULT_DB_ALIAS]
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), conn) for obj in objs for f in fields]


def insert_select_sql(obj: models.Model, source: str) -> tuple[str, list]:
    """The ``INSERT`` of one unsaved instance for every row of ``source`` (a ``WITH`` query's name,
    on PostgreSQL), and its parameters: lets a write depend on an earlier one in the same statement.
    Each value is cast to its column's type, as a ``VALUES`` row would be typed by the table."""
    model = type(obj)
    fields = _insert_fields(model)
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    values = ", ".join(f"CAST(%s AS {f.db_type(conn)})" for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {values} FROM {source}"
    )
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]


def rows_create(objs: list[models.Model]) -> list[models.Model]:
    """``bulk_create`` of unsaved instances of one model in one statement: each gets its primary key.

    The keys come back with ``RETURNING``, in the order of the rows, as ``bulk_create`` relies on.
    """
    if not objs:
        return objs
    if not connection.features.can_return_rows_from_bulk_insert:
        return type(objs[0])._base_manager.bulk_create(objs)
    sql, params = insert_sql(objs)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(objs[0]._meta.pk.column)}", params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = "default"
    return objs


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


def objects_where(model: type[models.Model], where: str, params: list) -> list[models.Model]:
    """The rows of ``model`` matching ``where`` (plain SQL over its column names, ``%s`` for
    ``params``), as model instances with every concrete field loaded."""
    columns, instance = model_reader(model)
    sql = f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [instance(row) for row in cursor.fetchall()]


def row_insert(instance: models.Model) -> models.Model:
    """Inserts one unsaved instance; it gets its primary key and counts as saved.

    Constraint violations raise ``IntegrityError`` as ``save()`` would.
    """
    sql, params = insert_sql([instance])
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(instance._meta.pk.column)}", params)
            instance.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, params)
            instance.pk = connection.ops.last_insert_id(cursor, instance._meta.db_table, instance._meta.pk.column)
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def rows_insert(*groups: list[models.Model]) -> None:
    """``INSERT`` of unsaved model instances, one list per model; their ``pk`` stays unset.

    One statement per list — on PostgreSQL one for all of them (the first ones as data-modifying
    ``WITH`` queries). Constraint violations raise ``IntegrityError`` as ``bulk_create`` would.
    """
    parts = [insert_sql(objs) for objs in groups if objs]
    if len(parts) > 1 and connection.vendor == "postgresql":
        sql = "WITH " + ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(parts[:-1])) + " " + parts[-1][0]
        parts = [(sql, [param for _sql, params in parts for param in params])]
    with connection.cursor() as cursor:
        for sql, params in parts:
            cursor.execute(sql, params)


def rows_insert_new(objs: list[models.Model], *, returning: str) -> list[tuple] | None:
    """``INSERT`` of unsaved instances of one model that skips rows hitting a unique constraint;
    answers the ``returning`` columns of the rows it did insert — or ``None`` where the database
    cannot answer them (then it inserted nothing)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        return None
    sql, params = insert_sql(objs)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING {returning}", params)
        return cursor.fetchall()


def insert_or_ignore(instance: models.Model) -> bool:
    """Inserts ``instance`` unless a unique key of it is stored already; ``True`` when it was inserted.

    One statement and no savepoint: ``INSERT … ON CONFLICT DO NOTHING RETURNING`` waits for a
    concurrent insert of the same key and then skips instead of failing (PostgreSQL, and SQLite
    from 3.35). Only unique keys are skipped; any other constraint still raises. On success the
    instance gets its primary key and counts as saved.
    """
    sql, params = insert_sql([instance])
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(instance._meta.pk.column)}", params
        )
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = "default"
    return True
