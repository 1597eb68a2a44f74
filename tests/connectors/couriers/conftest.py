from pathlib import Path

import pytest
from django.test import Client

from commerce.orders import services as order_services
from commerce.shipments.services import shipment_create
from connectors.couriers.kuaidi100 import webhook as kuaidi100_webhook
from connectors.services.connections import ConnectionInput, connection_create
from tests.connectors.conftest import vector
from tests.factories import TEST_ACTOR, create_order

KUAIDI100_FIXTURES = Path(kuaidi100_webhook.__file__).with_name("fixtures")
KUAIDI100_VECTOR = vector("kuaidi100", "push_and_query_synthetic.json")
SALT = KUAIDI100_VECTOR["push_callback"]["salt_given_at_subscribe"]
TRACKING_NO = "YT9693083639795"


def kuaidi100_fixture(topic: str) -> bytes:
    return (KUAIDI100_FIXTURES / f"{topic}.form").read_bytes()


def post_form(connector: str, connection, body: bytes, content_type: str = "application/x-www-form-urlencoded"):
    return Client().post(f"/hooks/{connector}/{connection.pk}/", data=body, content_type=content_type)


@pytest.fixture
def kuaidi100(db):
    """A Kuaidi100 connection holding the vector's customer, key and salt."""
    query = KUAIDI100_VECTOR["realtime_query"]
    return connection_create(
        data=ConnectionInput(
            connector="kuaidi100",
            name="快递100",
            credentials={"customer": query["form_fields"]["customer"], "key": query["key"], "salt": SALT},
            settings={},
        )
    )


@pytest.fixture
def kuaidi100_sandbox(db):
    return connection_create(
        data=ConnectionInput(connector="kuaidi100", name="快递100 沙箱", credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def shipped_order(channel, stocked):
    order = create_order(channel, lines=(("TEA-001", 2),), status="paid")
    order_services.order_transition(order_id=order.pk, to="shipped", actor=TEST_ACTOR)
    order.refresh_from_db()
    return order


@pytest.fixture
def parcel(shipped_order):
    shipment, _ = shipment_create(
        order_id=shipped_order.pk, courier="kuaidi100", carrier="yuantong", tracking_no=TRACKING_NO, actor=TEST_ACTOR
    )
    return shipment


@pytest.fixture
def sf_sandbox(db):
    """An SF connection talking to the local 丰桥 simulator."""
    return connection_create(
        data=ConnectionInput(connector="sf", name="顺丰沙箱", credentials={}, settings={}, sandbox=True)
    )
