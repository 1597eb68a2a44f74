"""Row locks of the runtime. Lock order: ``RuntimeLock`` → (an action's commerce rows) → ``Execution``
rows (by id) → ``FlowSlot`` (see ``runtime.models``).

On PostgreSQL these are ``SELECT … FOR UPDATE``; SQLite serialises writers anyway (immediate
transactions) and ignores them. An execution's own lock is its claim's (``runtime.claim``).
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists

from .models import KILL_SWITCH_ID, KillSwitch, RuntimeLock


def named_lock(name: str) -> RuntimeLock:
    """The ``RuntimeLock`` row ``name``, created if missing, locked until the transaction ends.

    Waits for the holder: two dispatchers queue instead of both draining the outbox.
    """
    lock = RuntimeLock.objects.select_for_update().filter(name=name).first()
    if lock is not None:
        return lock
    try:
        with transaction.atomic():
            RuntimeLock.objects.create(name=name)
    except IntegrityError:
        pass
    return RuntimeLock.objects.select_for_update().get(name=name)


def named_lock_and_kill_switch(name: str) -> bool:
    """Takes the ``RuntimeLock`` row ``name`` (waiting for its holder, creating it the first time)
    and answers whether the kill switch is engaged — one statement once the row exists."""
    engaged = Exists(KillSwitch.objects.filter(pk=KILL_SWITCH_ID, engaged=True))
    locked = RuntimeLock.objects.select_for_update().filter(name=name).annotate(engaged=engaged)
    row = locked.values_list("engaged", flat=True).first()
    if row is None:
        named_lock(name)
        row = locked.values_list("engaged", flat=True).first()
    return bool(row)
