"""SF 丰桥: the documented msgDigest, the opCode table, the signed route push, the route query against the simulator."""

from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.shipments.models import Shipment, TrackingEvent
from commerce.shipments.services import shipment_create
from connectors.base import ProviderError
from connectors.couriers.sf import webhook as sf_webhook
from connectors.couriers.sf.mapping import OP_CODE_MAP
from connectors.couriers.sf.sandbox import SfSimulator
from connectors.couriers.sf.signing import java_url_encode, msg_digest
from connectors.models import WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from tests.connectors.conftest import vector
from tests.factories import TEST_ACTOR

from .conftest import post_form

pytestmark = pytest.mark.django_db

VECTOR = vector("sf_express", "msgdigest_vector.json")
PUSH = (Path(sf_webhook.__file__).with_name("fixtures") / "route.push.form").read_bytes()
WAYBILL = "SF1011275930813"
SUCCESS = '{"return_code":"0000","return_msg":"成功"}'


def test_the_documented_example_reproduces_its_digest():
    assert msg_digest(VECTOR["msgData"], VECTOR["timestamp"], VECTOR["checkWord"]) == "IIKJtuLVzoFTu4kHI8M8vA=="


@pytest.mark.parametrize("field", ["msgData", "timestamp", "checkWord"])
def test_one_tampered_byte_changes_the_digest(field):
    values = {k: VECTOR[k] for k in ("msgData", "timestamp", "checkWord")}
    values[field] = values[field][:-1] + chr(ord(values[field][-1]) ^ 1)

    assert msg_digest(values["msgData"], values["timestamp"], values["checkWord"]) != VECTOR["msgDigest"]


def test_java_url_encoding_differs_from_pythons_where_java_does():
    assert java_url_encode("a b*~'中") == "a+b*%7E%27%E4%B8%AD"


def test_the_op_code_table():
    assert OP_CODE_MAP == {
        "50": "in_transit",
        "30": "in_transit",
        "31": "in_transit",
        "36": "in_transit",
        "44": "out_for_delivery",
        "204": "out_for_delivery",
        "70": "exception",
        "33": "exception",
        "648": "exception",
        "99": "returned",
        "80": "signed",
        "8000": "signed",
    }


@pytest.fixture
def sf(db):
    return connection_create(
        data=ConnectionInput(
            connector="sf",
            name="顺丰",
            credentials={"partner_id": "TEST_SF_PARTNER", "check_word": VECTOR["checkWord"]},
            settings={"push": True},
        )
    )


@pytest.fixture
def waybill(shipped_order):
    shipment, _ = shipment_create(order_id=shipped_order.pk, courier="sf", tracking_no=WAYBILL, actor=TEST_ACTOR)
    return shipment


def test_a_signed_route_push_delivers_the_order_once_for_three_deliveries(sf, waybill, shipped_order):
    answers = [post_form("sf", sf, PUSH) for _ in range(3)]

    assert [(a.status_code, a.content.decode()) for a in answers] == [(200, SUCCESS)] * 3
    assert list(TrackingEvent.objects.order_by("occurred_at").values_list("code", "status")) == [
        ("50", "in_transit"),
        ("80", "signed"),
    ]
    assert Shipment.objects.get(pk=waybill.pk).status == "signed"
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert OutboxEvent.objects.filter(name="shipment.signed").count() == 1
    assert list(WebhookDelivery.objects.order_by("id").values_list("outcome", flat=True)) == [
        "processed",
        "duplicate",
        "duplicate",
    ]


def _with(body: bytes, **changes) -> bytes:
    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    form.update(changes)
    return urlencode(form).encode()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_with(PUSH, msgDigest="IIKJtuLVzoFTu4kHI8M8vA=="), 401, "bad_signature"),
        (_with(PUSH, timestamp="1714640000001"), 401, "bad_signature"),
        (_with(PUSH, partnerID="SOMEONE_ELSE"), 401, "bad_signature"),
        (_with(PUSH, msgDigest=""), 400, "missing_field"),
        (b"\xff=1", 400, "malformed_form"),
    ],
)
def test_a_forged_or_malformed_push_is_refused_and_changes_nothing(sf, waybill, shipped_order, body, status, code):
    response = post_form("sf", sf, body)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert WebhookDelivery.objects.get().outcome == "rejected"
    assert TrackingEvent.objects.count() == 0
    assert Order.objects.get(pk=shipped_order.pk).status == "shipped"


def test_a_signed_push_that_is_not_json_is_refused(sf, waybill):
    timestamp = "1714640000000"
    body = urlencode(
        {
            "partnerID": "TEST_SF_PARTNER",
            "timestamp": timestamp,
            "msgData": "{oops",
            "msgDigest": msg_digest("{oops", timestamp, VECTOR["checkWord"]),
        }
    ).encode()

    response = post_form("sf", sf, body)

    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")


def test_the_route_query_is_signed_and_answered_by_the_simulator(sf_sandbox):
    client = connection_client(sf_sandbox)
    sim = SfSimulator(sf_sandbox)
    sim.advance(WAYBILL)
    sim.advance(WAYBILL)

    routes = client.routes(mail_nos=[WAYBILL])

    assert [r["opCode"] for r in routes[WAYBILL]] == ["50", "30"]


def test_a_wrong_check_word_is_a_terminal_provider_error(sf_sandbox):
    client = connection_client(sf_sandbox)
    client.check_word = "not-the-sandbox-check-word"

    with pytest.raises(ProviderError) as raised:
        client.routes(mail_nos=[WAYBILL])

    assert (raised.value.retryable, raised.value.code) == (False, "sf_A1004")


def test_the_simulator_push_is_accepted(sf_sandbox, shipped_order):
    shipment_create(order_id=shipped_order.pk, courier="sf", tracking_no=WAYBILL, actor=TEST_ACTOR)
    sim = SfSimulator(sf_sandbox)
    for _ in range(5):
        sim.advance(WAYBILL)
    call = sim.push(WAYBILL)

    response = post_form("sf", sf_sandbox, call.body)

    assert response.status_code == 200
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
