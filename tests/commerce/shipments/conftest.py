from datetime import UTC, datetime, timedelta

import pytest

from commerce.orders import services as order_services
from commerce.shipments.services import TrackingInput, shipment_create
from tests.factories import TEST_ACTOR, create_order

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def node(hours: float, status: str, text: str = "") -> TrackingInput:
    return TrackingInput(occurred_at=at(hours), status=status, description=text or status)


@pytest.fixture
def shipped_order(channel, stocked):
    """A paid order of TEA-001 × 2, shipped."""
    order = create_order(channel, lines=(("TEA-001", 2),), status="paid")
    order_services.order_transition(order_id=order.pk, to="shipped", actor=TEST_ACTOR)
    order.refresh_from_db()
    return order


@pytest.fixture
def shipment(shipped_order):
    parcel, _ = shipment_create(
        order_id=shipped_order.pk,
        courier="kuaidi100",
        carrier="yuantong",
        tracking_no="YT9693083639795",
        actor=TEST_ACTOR,
    )
    return parcel
