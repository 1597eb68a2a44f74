"""The reads the live follower makes: what was written after its cursors.

Three tables are followed, each by its ``id``: the outbox (every domain event), the inbox's
notifications (a new one changes the inbox of everyone holding its role) and the inbox's read
marks (a read changes that reader's inbox). Each read is one query over the primary key.
"""

from collections.abc import Iterable

from django.db.models import Max, Model, Q

from commerce.inbox.models import Notification, NotificationRead
from commerce.outbox.models import OutboxEvent
from insights.kpis.models import KpiRollupState

FOLLOWED: dict[str, type[Model]] = {
    "outbox": OutboxEvent,
    "notification": Notification,
    "read": NotificationRead,
}
OUTBOX_FIELDS = ("id", "name", "subject_type", "payload", "occurred_at")
FIELDS = {"outbox": OUTBOX_FIELDS, "notification": ("id", "to_role"), "read": ("id", "user_id")}


def live_positions() -> dict[str, int]:
    """The highest id of each followed table now (0 for an empty one): where a follower starts."""
    return {key: model._default_manager.aggregate(top=Max("id"))["top"] or 0 for key, model in FOLLOWED.items()}


def live_rows_after(key: str, *, after: int, also: Iterable[int] = (), limit: int) -> list[dict]:
    """Rows of the followed table ``key`` with ``id > after`` or ``id`` in ``also`` (ids that were
    missing last time: written by a transaction not yet committed then), oldest first."""
    condition = Q(id__gt=after)
    wanted = list(also)
    if wanted:
        condition |= Q(id__in=wanted)
    return list(FOLLOWED[key]._default_manager.filter(condition).order_by("id").values(*FIELDS[key])[:limit])


def kpi_rollups_mark() -> tuple[str, int] | None:
    """How far the KPI rollups are refreshed and how many facts the last refresh changed: a change
    of mark with facts changed means the dashboards' figures moved."""
    state = KpiRollupState.objects.values_list("refreshed_until", "last_changed").first()
    if state is None or state[0] is None:
        return None
    return state[0].isoformat(), state[1]
