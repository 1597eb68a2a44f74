"""The context schemas the builder checks flows against match what the domain really emits.

Each event as emitted by its service is checked in ``tests/test_event_contracts.py``."""

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
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


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
