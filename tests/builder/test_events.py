"""The context schemas the builder checks flows against match what the domain really emits."""

import jsonschema
import pytest

from builder import events
from builder.events import ORDER_SCHEMA, STOCK_SCHEMA, event_context_schema
from commerce.inventory.models import StockItem
from commerce.inventory.services import stock_representation
from commerce.orders import services as order_services
from commerce.orders.representation import order_representation
from commerce.orders.selectors import order_get
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, StockItemFactory, create_order

pytestmark = pytest.mark.django_db


def _context_of(event: OutboxEvent) -> dict:
    """The context the runtime builds for an outbox event (the contract in ``builder.events``)."""
    meta = {"id": event.pk, "type": event.name, "occurred_at": event.occurred_at.isoformat()}
    return {"event": meta, **event.payload, "steps": {}}


def test_every_domain_event_has_a_context_schema():
    assert tuple(events.EVENTS) == names.DOMAIN_EVENTS
    for name in names.DOMAIN_EVENTS:
        jsonschema.Draft202012Validator.check_schema(event_context_schema(name))


def test_a_real_order_matches_the_order_schema(channel, stocked):
    order = create_order(channel, tags=("vip",))
    order_services.order_hold(order_id=order.pk, reason="address check", actor=TEST_ACTOR)

    representation = order_representation(order_get(order_id=order.pk))

    jsonschema.validate(representation, ORDER_SCHEMA)
    assert set(ORDER_SCHEMA["properties"]) == set(representation)
    assert set(ORDER_SCHEMA["properties"]["lines"]["items"]["properties"]) == set(representation["lines"][0])


def test_a_real_stock_row_matches_the_stock_schema(stocked):
    representation = stock_representation(StockItem.objects.select_related("warehouse").get())

    jsonschema.validate(representation, STOCK_SCHEMA)
    assert set(STOCK_SCHEMA["properties"]) == set(representation)


def test_the_order_events_the_domain_emits_fit_their_context_schemas(channel, stocked):
    order = create_order(channel)
    order_services.order_transition(order_id=order.pk, to="paid", reason="", idempotency_key=None, actor=TEST_ACTOR)
    order_services.order_hold(order_id=order.pk, reason="risk", actor=TEST_ACTOR)
    order_services.order_transition(
        order_id=order.pk, to="cancelled", reason="buyer asked", idempotency_key=None, actor=TEST_ACTOR
    )

    emitted = list(OutboxEvent.objects.order_by("id"))

    assert [e.name for e in emitted] == [
        names.ORDER_CREATED,
        names.ORDER_STATUS_CHANGED,
        names.ORDER_PAID,
        names.ORDER_HELD,
        names.ORDER_STATUS_CHANGED,
        names.ORDER_CANCELLED,
    ]
    for event in emitted:
        jsonschema.validate(_context_of(event), event_context_schema(event.name))


def test_the_low_stock_event_fits_its_context_schema(channel, warehouse, product):
    StockItemFactory(sku=product.sku, warehouse=warehouse, on_hand=3, safety_stock=2)
    create_order(channel, lines=((product.sku, 1),))

    (event,) = OutboxEvent.objects.filter(name=names.INVENTORY_LOW_STOCK)

    jsonschema.validate(_context_of(event), event_context_schema(names.INVENTORY_LOW_STOCK))
