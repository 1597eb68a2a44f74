"""Risk sightings are kept as long as the longest window reads them, and no longer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.risk.models import RiskSighting
from commerce.risk.retention import SIGHTINGS_KEPT, risk_sightings_prune
from commerce.risk.tasks import risk_sightings_prune_task

from .test_risk_rules import STREETS, _place

pytestmark = pytest.mark.django_db


def test_sightings_past_the_longest_window_are_pruned_in_batches_and_the_rest_kept(channel, stocked, default_rules):
    orders = [_place(channel, n, phone=f"1380013800{n}", line=STREETS[n]) for n in range(5)]
    now = timezone.now()
    old, edge, recent = orders[:3], orders[3], orders[4]
    RiskSighting.objects.filter(order__in=old).update(seen_at=now - SIGHTINGS_KEPT - timedelta(minutes=1))
    RiskSighting.objects.filter(order=edge).update(seen_at=now - SIGHTINGS_KEPT + timedelta(minutes=1))

    assert SIGHTINGS_KEPT > timedelta(days=30)  # the accounts-per-phone window is 30 days
    assert risk_sightings_prune(now=now, batch=2) == 3
    assert sorted(RiskSighting.objects.values_list("order_id", flat=True)) == [edge.pk, recent.pk]
    assert risk_sightings_prune_task() == {"removed": 0}
