"""The trigger: event triggers name a known domain event that is emitted already (``EVENT_UNAVAILABLE``
otherwise: the draft is kept, publishing is refused); schedules have a valid cron and IANA time zone.

``trigger_check`` also answers the trigger's context schema (``builder.events``), which the rules
and templates of the nodes are checked against.
"""

import zoneinfo
from datetime import UTC, datetime
from functools import cache

from croniter import CroniterBadDateError, croniter

from .. import events
from . import messages
from .problems import TRIGGER_ID, Problems

EVENT_UNAVAILABLE = "event_unavailable"
CRON_MACROS = frozenset({"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"})


def trigger_check(trigger: dict, problems: Problems) -> dict | None:
    """Adds the trigger's problems; answers its context schema (``None`` for an unknown event)."""
    kind = trigger["type"]
    if kind == "event":
        spec = events.event_spec(trigger["event"])
        if spec is None:
            message = f"{trigger['event']!r} is not a domain event"
            said = messages.unknown_event(trigger["event"])
            problems.add("unknown_event", message, TRIGGER_ID, "trigger", "event", message=said)
            return None
        if spec.unavailable is not None:
            message = f"{spec.name!r} is not available yet, so a flow on it cannot be published. {spec.unavailable.en}"
            said = messages.event_unavailable(spec.name, spec.unavailable.as_dict())
            problems.add(EVENT_UNAVAILABLE, message, TRIGGER_ID, "trigger", "event", message=said)
    if kind == "schedule":
        cron = cron_problem(trigger["cron"])
        if cron:
            said = messages.invalid_cron(never_fires=cron.endswith("never fires"))
            problems.add("invalid_cron", cron, TRIGGER_ID, "trigger", "cron", message=said)
        if trigger["timezone"] not in _time_zones():
            problems.add(
                "invalid_timezone",
                f"{trigger['timezone']!r} is not an IANA time zone (like Asia/Shanghai)",
                TRIGGER_ID,
                "trigger",
                "timezone",
                message=messages.invalid_timezone(trigger["timezone"]),
            )
    return events.trigger_context_schema(trigger)


def trigger_label(trigger: dict) -> str:
    """The trigger as a problem message names it ("event order.paid", "a webhook trigger")."""
    if trigger["type"] == "event":
        return f"event {trigger['event']}"
    if trigger["type"] == "schedule" and trigger.get("for_each"):
        return "a scheduled run for each order"
    return f"a {trigger['type']} trigger"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a usable cron schedule, or ``None`` when it is."""
    text = expression.strip()
    if text.startswith("@"):
        if text not in CRON_MACROS:
            return f"{expression!r} is not a known cron macro ({', '.join(sorted(CRON_MACROS))})"
        return None
    if len(text.split()) != 5:
        return f"{expression!r} needs five fields: minute hour day-of-month month day-of-week"
    if not croniter.is_valid(text):
        return f"{expression!r} is not a valid cron expression"
    try:
        croniter(text, datetime(2024, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterBadDateError:
        return f"{expression!r} never fires"
    return None
