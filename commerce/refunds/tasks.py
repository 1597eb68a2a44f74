"""django-q2 entry points of refunds (scheduled in ``orderflow.schedules.services``)."""

from .evidence import evidence_orphans_sweep
from .services import refunds_sla_check


def refunds_sla_check_task() -> dict:
    return {"announced": refunds_sla_check()}


def evidence_orphans_sweep_task() -> dict:
    return {"removed": evidence_orphans_sweep()}
