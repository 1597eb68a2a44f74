"""django-q2 entry points of risk (scheduled in ``orderflow.schedules.services``)."""

from .retention import risk_sightings_prune


def risk_sightings_prune_task() -> dict:
    return {"removed": risk_sightings_prune()}
