"""django-q2 entry points of the payment connectors (scheduled in ``orderflow.schedules.services``)."""

from .sweep import payments_sweep


def payments_sweep_task() -> dict:
    sweep = payments_sweep()
    return {"sweep": sweep.pk, "checked": sweep.checked, "repaired": sweep.repaired, "unreachable": sweep.unreachable}
