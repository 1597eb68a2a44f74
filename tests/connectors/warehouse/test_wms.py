"""The WMS link: signed both ways, pick lists pushed once per order, events moving the order, the shipped-lines check."""

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.shipments.models import Shipment
from commerce.tickets.models import Ticket
from connectors.base import InboundRequest, ProviderError
from connectors.couriers.kuaidi100.sandbox import Kuaidi100Simulator
from connectors.models import SandboxRecord, WebhookDelivery
from connectors.services.deliveries import delivery_receive
from connectors.signing import signature
from connectors.warehouse.fulfilment import pick_list_push
from connectors.warehouse.wms import webhook
from connectors.warehouse.wms.manifest import CONNECTOR
from connectors.warehouse.wms.sandbox import WmsSimulator

from .conftest import SECRET, post

pytestmark = pytest.mark.django_db

FIXTURES = Path(webhook.__file__).with_name("fixtures")


def fixture(event: str, order_number: str) -> bytes:
    return (FIXTURES / f"{event}.json").read_bytes().replace(b"OF2603011020000001", order_number.encode())


def signed(body: bytes, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    sent_at = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-WMS-Timestamp": sent_at, "X-WMS-Signature": signature(secret, sent_at, body)}


def deliver(connection, calls) -> list:
    answers = []
    for call in calls:
        answers.append(
            delivery_receive(
                connection=connection, request=InboundRequest(body=call.body, headers=call.headers, query={})
            )
        )
    return answers


def test_every_handled_event_has_a_fixture():
    assert sorted(CONNECTOR.inbound.topics) == sorted(p.stem for p in FIXTURES.glob("*.json"))


# --- signature ---------------------------------------------------------------------------------


def test_a_signed_event_is_accepted_and_moves_the_order(wms, paid_order):
    body = fixture("picked", paid_order.number)

    response = post(wms, body, signed(body))

    assert (response.status_code, response.json()) == (200, {"received": True})
    paid_order.refresh_from_db()
    assert paid_order.status == "processing"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.topic, delivery.dedup_key) == (
        "processed",
        "picked",
        f"wms-0-{paid_order.number}-picked",
    )


def test_one_byte_tampered_in_the_body_is_refused_and_changes_nothing(wms, paid_order):
    body = fixture("picked", paid_order.number)
    headers = signed(body)
    tampered = body.replace(b'"picked"', b'"pickeD"', 1)
    assert len(tampered) == len(body) and tampered != body

    response = post(wms, tampered, headers)

    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert WebhookDelivery.objects.get().outcome == "rejected"


def test_one_byte_tampered_in_the_signature_is_refused(wms, paid_order):
    body = fixture("picked", paid_order.number)
    headers = signed(body)
    last = headers["X-WMS-Signature"][-1]
    headers["X-WMS-Signature"] = headers["X-WMS-Signature"][:-1] + ("0" if last != "0" else "1")

    assert post(wms, body, headers).status_code == 401


def test_a_stale_timestamp_is_refused_even_with_a_right_signature(wms, paid_order):
    body = fixture("picked", paid_order.number)

    response = post(wms, body, signed(body, timestamp=int(time.time()) - 301))

    assert (response.status_code, response.json()["code"]) == (401, "stale_timestamp")
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_a_malformed_event_names_its_fields(wms, paid_order):
    body = json.dumps({"event_id": "e1", "event": "lost", "order_number": paid_order.number}).encode()

    response = post(wms, body, signed(body))

    assert response.status_code == 400
    assert response.json()["details"] == {
        "event": "one of picked, packed, shipped",
        "occurred_at": ("an ISO 8601 time with its zone, e.g. 2026-03-01T10:20:00+08:00"),
    }


# --- pick list → sandbox → events ---------------------------------------------------------------


def test_the_pick_list_goes_to_the_sandbox_once_per_order_number(wms_sandbox, paid_order):
    first = pick_list_push(order_id=paid_order.pk)
    again = pick_list_push(order_id=paid_order.pk)

    assert (first["created"], again["created"], again["pick_list_id"]) == (True, False, first["pick_list_id"])
    held = WmsSimulator(wms_sandbox).pick_list(paid_order.number)
    assert held["pick_list"]["lines"] == [
        {"sku": "TEA-001", "title": "西湖龙井 250g", "quantity": 2},
        {"sku": "TEA-002", "title": "白毫银针 100g", "quantity": 1},
    ]
    assert held["pick_list"]["courier_preference"] == {"courier": "kuaidi100", "carrier": "yuantong"}
    notes = AuditEntry.objects.filter(subject_type="order", subject_id=str(paid_order.pk), action="noted")
    assert [(n.actor_kind, n.actor_id, n.source) for n in notes] == [("connection", str(wms_sandbox.pk), "action:wms")]


def test_an_answer_not_signed_by_the_wms_is_refused(wms_sandbox, paid_order, monkeypatch):
    monkeypatch.setattr(
        WmsSimulator,
        "_answer",
        lambda self, status, payload: __import__("connectors.sandbox", fromlist=["SimResponse"]).SimResponse.json(
            status, payload
        ),
    )

    with pytest.raises(ProviderError) as error:
        pick_list_push(order_id=paid_order.pk)

    assert (error.value.code, error.value.retryable) == ("bad_answer_signature", False)


def test_picked_packed_shipped_move_the_order_and_record_the_parcel(wms_sandbox, kuaidi100_sandbox, paid_order):
    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    start = timezone.now()

    assert simulator.tick(start + timedelta(seconds=30)) == []
    deliver(wms_sandbox, simulator.tick(start + timedelta(seconds=61)))
    paid_order.refresh_from_db()
    assert paid_order.status == "processing"
    deliver(wms_sandbox, simulator.tick(start + timedelta(seconds=121)))
    answers = deliver(wms_sandbox, simulator.tick(start + timedelta(seconds=181)))

    paid_order.refresh_from_db()
    assert paid_order.status == "shipped"
    shipment = Shipment.objects.get(order=paid_order)
    assert (shipment.courier, shipment.carrier) == ("kuaidi100", "yuantong")
    assert shipment.tracking_no.startswith("YT") and len(shipment.tracking_no) == 15
    assert shipment.subscribed_at is not None
    assert Kuaidi100Simulator(kuaidi100_sandbox).parcel(shipment.tracking_no)["subscribed"] is True
    assert answers[0].delivery.result["effects"][0]["outcome"] == "applied"
    assert [d.topic for d in WebhookDelivery.objects.order_by("pk")] == ["picked", "packed", "shipped"]
    assert set(WebhookDelivery.objects.values_list("outcome", flat=True)) == {"processed"}
    assert not Ticket.objects.exists()
    assert simulator.tick(start + timedelta(minutes=10)) == []  # each event once


def test_the_timeline_shows_each_warehouse_step_with_the_connection_as_its_source(wms_sandbox, paid_order):
    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    deliver(wms_sandbox, simulator.tick(timezone.now() + timedelta(minutes=4)))

    entries = AuditEntry.objects.filter(subject_type="order", subject_id=str(paid_order.pk)).order_by("pk")
    from_wms = [(e.action, e.source) for e in entries if e.actor_id == str(wms_sandbox.pk)]
    assert from_wms == [
        ("noted", "action:wms"),
        ("transitioned", "webhook:wms"),
        ("ignored", "webhook:wms"),  # packed: already processing
        ("shipment_created", "webhook:wms"),
        ("transitioned", "webhook:wms"),
    ]


def test_duplicate_events_are_acknowledged_and_ignored(wms_sandbox, paid_order):
    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    deliver(wms_sandbox, simulator.tick(timezone.now() + timedelta(minutes=4)))

    resent = deliver(wms_sandbox, [simulator.event(paid_order.number, "shipped") for _ in range(3)])

    assert [a.status for a in resent] == [200, 200, 200]
    assert [a.delivery.outcome for a in resent] == ["duplicate"] * 3
    assert Shipment.objects.count() == 1
    assert OutboxEvent.objects.filter(name="shipment.created").count() == 1
    assert (
        AuditEntry.objects.filter(subject_id=str(paid_order.pk), action="transitioned").count() == 2
    )  # processing, shipped


# --- the shipped-lines check --------------------------------------------------------------------


def test_a_short_shipment_raises_an_exception_and_a_ticket_and_the_order_is_not_marked_shipped(wms_sandbox, paid_order):
    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    simulator.shortage_set(paid_order.number, [{"sku": "TEA-001", "quantity": 2}])  # TEA-002 left behind

    answers = deliver(wms_sandbox, simulator.tick(timezone.now() + timedelta(minutes=4)))

    paid_order.refresh_from_db()
    assert paid_order.status == "processing"
    effect = answers[-1].delivery.result["effects"][0]
    assert effect["outcome"] == "lines_differ"
    assert effect["differences"] == [{"sku": "TEA-002", "ordered": 1, "shipped": 0, "problem": "missing"}]
    exception = OutboxEvent.objects.get(name="shipment.exception")
    assert exception.payload["shipment"]["tracking_no"] == Shipment.objects.get().tracking_no
    ticket = Ticket.objects.get()
    assert (ticket.queue, ticket.order_id, ticket.status, ticket.id) == (
        "warehouse",
        paid_order.pk,
        "open",
        effect["ticket"],
    )
    assert "TEA-002 0/1" in ticket.title


@pytest.mark.parametrize(
    ("shipped", "problem"),
    [
        (
            [{"sku": "TEA-001", "quantity": 2}, {"sku": "TEA-002", "quantity": 1}, {"sku": "TEA-009", "quantity": 1}],
            "extra",
        ),
        ([{"sku": "TEA-001", "quantity": 1}, {"sku": "TEA-002", "quantity": 1}], "quantity"),
    ],
)
def test_an_extra_line_or_a_wrong_quantity_is_an_exception_too(wms_sandbox, paid_order, shipped, problem):
    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    simulator.shortage_set(paid_order.number, shipped)

    answers = deliver(wms_sandbox, simulator.tick(timezone.now() + timedelta(minutes=4)))

    assert [d["problem"] for d in answers[-1].delivery.result["effects"][0]["differences"]] == [problem]
    assert Order.objects.get(pk=paid_order.pk).status == "processing"
    assert Ticket.objects.count() == 1


def test_a_replayed_short_shipment_opens_no_second_ticket(wms_sandbox, paid_order):
    from connectors.services.deliveries import delivery_replay

    pick_list_push(order_id=paid_order.pk)
    simulator = WmsSimulator(wms_sandbox)
    simulator.shortage_set(paid_order.number, [{"sku": "TEA-001", "quantity": 2}])
    answers = deliver(wms_sandbox, simulator.tick(timezone.now() + timedelta(minutes=4)))

    delivery_replay(delivery_id=answers[-1].delivery.pk)

    assert Ticket.objects.count() == 1
    assert OutboxEvent.objects.filter(name="shipment.exception").count() == 1


def test_an_event_for_an_unknown_order_fails_the_delivery_for_a_replay(wms):
    body = fixture("picked", "OF0000000000000000")

    response = post(wms, body, signed(body))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "failed"
    assert SandboxRecord.objects.count() == 0
