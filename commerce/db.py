"""Database helpers the commerce services share."""

from django.db import models
from django.db.models.constants import OnConflict


def insert_or_ignore(instance: models.Model) -> bool:
    """Inserts ``instance`` unless a unique key of it is stored already; ``True`` when it was inserted.

    One statement and no savepoint: ``INSERT … ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE`` on
    SQLite) waits for a concurrent insert of the same key and then skips instead of failing. On
    success the instance gets its primary key and counts as saved. Uses Django's internal
    ``_insert`` (the one ``bulk_create(ignore_conflicts=True)`` uses), because ``bulk_create``
    does not return the key of an ignored-conflict insert.
    """
    model = type(instance)
    opts = model._meta
    rows = model._base_manager._insert(
        [instance],
        fields=[f for f in opts.local_concrete_fields if f is not opts.auto_field],
        returning_fields=[opts.pk],
        on_conflict=OnConflict.IGNORE,
    )
    if not rows or rows[0] is None:
        return False
    instance.pk = rows[0][0]
    instance._state.adding = False
    instance._state.db = "default"
    return True
