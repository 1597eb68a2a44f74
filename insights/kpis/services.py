"""Writes of the KPI app: its own tables only (thresholds; the rollups are written by ``rollups``)."""

from decimal import Decimal

from django.db import transaction

from .models import KpiThreshold


def kpi_thresholds_update(*, changes: dict[str, Decimal | None], user) -> None:
    """Sets each KPI's threshold (``None``: no threshold), replacing its default. One transaction:
    all of them or none. The keys are checked by the caller (``definitions.KEYS``)."""
    with transaction.atomic():
        for key, threshold in changes.items():
            KpiThreshold.objects.update_or_create(key=key, defaults={"threshold": threshold, "updated_by": user})
