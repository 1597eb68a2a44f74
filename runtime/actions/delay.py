"""``delay``: park the execution for a while, durably — no worker sleeps."""

from datetime import timedelta

from builder.catalog import ActionSpec
from core.time import iso_utc

from .base import Action, ActionRun, object_schema


class Delay(Action):
    """Parks the execution as ``waiting`` with ``resume_at``; the sweep resumes it when that time
    has come. On resume the context's ``order`` is read again, so nodes after the delay see the
    order as it is then ("still unpaid after 15 minutes?"). A waiting execution does not hold
    back later executions of its order.
    """

    parks = True
    spec = ActionSpec(
        key="delay",
        name_en="Wait",
        name_zh="等待",
        description_en="Waits so many minutes, then continues with the order as it is then.",
        description_zh="等待若干分钟后，按订单当时的状态继续执行。",
        group="flow",
        icon="clock",
        params_schema=object_schema(
            {"minutes": {"type": "integer", "minimum": 1, "maximum": 525600}}, required=("minutes",)
        ),
        output_schema=object_schema({"resume_at": {"type": "string"}, "minutes": {"type": "integer"}}),
        default_retry={"max_attempts": 1, "backoff_seconds": 0},
    )

    def resume_at(self, params: dict, run: ActionRun):
        return run.now + timedelta(minutes=params["minutes"])

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {
            "resume_at": iso_utc(self.resume_at(params, run)),
            "minutes": params["minutes"],
        }
