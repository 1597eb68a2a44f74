"""How long an order's risk sighting is kept: as long as the longest window reads it.

The rules count sightings over 10 minutes (IP), 24 hours (address clusters) and 30 days (accounts
per phone or address); older ones change no count, so they are removed. An order's keys are still
known without its sighting (``services._order_keys`` recomputes them), and the hits keep their own
evidence.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from .facts import CLUSTER_WINDOW, IP_WINDOW, SHARING_WINDOW
from .models import RiskSighting

# The longest window, and a day more so a count at the window's edge never loses a row to a prune
# that ran a moment earlier.
SIGHTINGS_KEPT = max(IP_WINDOW, CLUSTER_WINDOW, SHARING_WINDOW) + timedelta(days=1)
PRUNE_BATCH = 5_000


def risk_sightings_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Deletes the sightings older than ``SIGHTINGS_KEPT``, ``batch`` rows a statement (short
    transactions on a big table); answers how many went."""
    cutoff = (now or timezone.now()) - SIGHTINGS_KEPT
    removed = 0
    while True:
        ids = list(RiskSighting.objects.filter(seen_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return removed
        removed += RiskSighting.objects.filter(pk__in=ids).delete()[0]
