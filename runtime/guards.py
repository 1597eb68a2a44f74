"""The runtime's guards: the kill switch, per-flow concurrency slots, the customer-contact rate limit
and loop protection. Counters change by conditional ``UPDATE`` only, never read-modify-write.
"""

import time
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F

from . import conf, statuses
from .errors import RateLimited
from .models import KILL_SWITCH_ID, Execution, FlowSlot, KillSwitch, RateWindow

_seen: tuple[float, bool] = (float("-inf"), False)


def kill_switch_engaged(*, max_age: float = 0.0) -> bool:
    """Whether the kill switch is engaged; with ``max_age`` an answer read that recently in this
    process may be reused (runners check between actions without a query per action)."""
    global _seen
    checked_at, engaged = _seen
    moment = time.monotonic()
    if max_age > 0 and moment - checked_at < max_age:
        return engaged
    engaged = KillSwitch.objects.filter(pk=KILL_SWITCH_ID, engaged=True).exists()
    _seen = (moment, engaged)
    return engaged


def kill_switch_state() -> KillSwitch:
    return KillSwitch.objects.filter(pk=KILL_SWITCH_ID).first() or KillSwitch(pk=KILL_SWITCH_ID)


# --- concurrency ----------------------------------------------------------------------------


# The one statement the ORM cannot say: a conditional decrement that answers, in the same
# statement, whether the flow was starved — read separately, a claim refused in between would
# be missed and its execution left waiting for the sweep.
_SLOT_GIVE = (
    f"UPDATE {FlowSlot._meta.db_table} SET running = running - 1 WHERE flow_id = %s AND running > 0 RETURNING starved"
)


def slot_acquire(*, flow_id: int) -> bool:
    """Takes one of the flow's ``ORDERFLOW_FLOW_CONCURRENCY`` slots, or says no (and changes nothing).

    One conditional ``UPDATE … SET running = running + 1 WHERE running < limit``: of two racing
    claims for the last slot only one gets it. Runs in the claimer's transaction. (On PostgreSQL
    the claim takes its slot in its own statement: ``runtime.claim``.)
    """
    take = FlowSlot.objects.filter(flow_id=flow_id, running__lt=conf.get("ORDERFLOW_FLOW_CONCURRENCY"))
    if take.update(running=F("running") + 1):
        return True
    # The flow's first run (no row yet, or one a concurrent claim is creating), or the limit reached.
    FlowSlot.objects.bulk_create([FlowSlot(flow_id=flow_id)], ignore_conflicts=True)
    return bool(take.update(running=F("running") + 1))


def slot_starved(*, flow_id: int) -> None:
    """Marks the flow starved: a claim was refused for want of a slot, so the next ``slot_release``
    answers that the waiting must be woken."""
    FlowSlot.objects.filter(flow_id=flow_id, starved=False).update(starved=True)


def slot_release(*, flow_id: int) -> bool:
    """Gives a slot back (in the releaser's transaction); answers whether a claim was refused for
    want of a slot meanwhile (the flow is starved: the releaser wakes the waiting after commit)."""
    with connection.cursor() as cursor:
        cursor.execute(_SLOT_GIVE, [flow_id])
        row = cursor.fetchone()
    return bool(row and row[0])


def slot_starvation_clear(*, flow_id: int) -> bool:
    """``True`` (once) when claims were refused for want of a slot since the last call: wake the waiting."""
    return FlowSlot.objects.filter(flow_id=flow_id, starved=True).update(starved=False) > 0


# --- customer-contact rate limit ------------------------------------------------------------


def _window(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def contact_take(*, flow_id: int, now: datetime) -> None:
    """Counts one customer contact of the flow in this minute, or raises ``RateLimited`` (resume next minute).

    Run inside the action's transaction: an action that fails gives its unit back.
    """
    limit = conf.get("ORDERFLOW_CUSTOMER_CONTACT_RATE")
    window = _window(now)
    take = RateWindow.objects.filter(flow_id=flow_id, window_start=window, count__lt=limit)
    if take.update(count=F("count") + 1):
        return
    # The minute's first contact (no row yet, or one a concurrent action is creating), or the limit reached.
    RateWindow.objects.bulk_create([RateWindow(flow_id=flow_id, window_start=window)], ignore_conflicts=True)
    if take.update(count=F("count") + 1):
        return
    raise RateLimited(resume_at=window + timedelta(minutes=1))


# --- loop protection ------------------------------------------------------------------------


def self_triggered_recently(*, flow_id: int, subject_key: str, now: datetime) -> int:
    """How many executions of the flow its own actions triggered on this subject in the last minute."""
    return (
        Execution.objects.filter(
            flow_id=flow_id, subject_key=subject_key, self_triggered=True, created_at__gte=now - timedelta(minutes=1)
        )
        .exclude(status=statuses.SUPPRESSED)
        .count()
    )
