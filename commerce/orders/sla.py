"""How long an order may stay where it is before it is *overdue* — the board's "overdue" filter.

An order is overdue when it has waited longer than its status allows:

- ``pending_payment``: longer than its channel's ``payment_timeout_minutes`` (15 by default) since it
  was placed. Its reservation has lapsed by then and the payment-timeout sweep (``expiry``) cancels
  it within a minute, so an unpaid order past its timeout means the sweep is behind or failing.
- ``paid`` and ``processing``: not shipped within ``ORDERFLOW_SHIP_SLA_HOURS`` (48, the marketplaces'
  usual 48-hour shipping promise) of payment — counted from ``paid_at``, or from the last status
  change for an order that has none.
- any later status: never. A parcel on its way has its own stall check (``commerce.shipments``),
  and a finished order waits for nobody.

``overdue_q`` and ``order_is_overdue`` say the same thing, one as a query and one for a loaded order.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from commerce.channels.models import Channel

from . import statuses

DEFAULT_SHIP_SLA_HOURS = 48
AWAITING_SHIPMENT = (statuses.PAID, statuses.PROCESSING)


def ship_within() -> timedelta:
    """How long after payment an order must be shipped (``ORDERFLOW_SHIP_SLA_HOURS``)."""
    return timedelta(hours=float(getattr(settings, "ORDERFLOW_SHIP_SLA_HOURS", DEFAULT_SHIP_SLA_HOURS)))


def overdue_q(*, now: datetime) -> Q:
    """The orders overdue at ``now``. Reads the channels' distinct payment timeouts (one small query)."""
    ship_cut = now - ship_within()
    overdue = Q(status__in=AWAITING_SHIPMENT) & (
        Q(paid_at__lt=ship_cut) | Q(paid_at__isnull=True, status_changed_at__lt=ship_cut)
    )
    timeouts = Channel.objects.order_by().values_list("payment_timeout_minutes", flat=True).distinct()
    for minutes in timeouts:
        overdue |= Q(
            status=statuses.PENDING_PAYMENT,
            channel__payment_timeout_minutes=minutes,
            status_changed_at__lt=now - timedelta(minutes=minutes),
        )
    return overdue


def order_is_overdue(order, *, now: datetime) -> bool:
    """Whether ``order`` (with its channel loaded) is overdue at ``now``; the same rule as ``overdue_q``."""
    if order.status == statuses.PENDING_PAYMENT:
        return order.status_changed_at < now - timedelta(minutes=order.channel.payment_timeout_minutes)
    if order.status in AWAITING_SHIPMENT:
        return (order.paid_at or order.status_changed_at) < now - ship_within()
    return False
