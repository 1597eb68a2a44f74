"""django-q2 entry points of the payment connectors (scheduled in ``orderflow.schedules.services``)."""

from .refunds import refunds_payout_due
from .sweep import payments_sweep


def payments_sweep_task() -> dict:
    sweep = payments_sweep()
    return {"sweep": sweep.pk, "checked": sweep.checked, "repaired": sweep.repaired, "unreachable": sweep.unreachable}


def refunds_payout_task() -> dict:
    return refunds_payout_due()
