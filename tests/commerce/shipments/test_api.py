"""``/api/v1/orders/{id}/shipments/``: an operator records a parcel by hand; everyone reads the parcels with their tracking."""

from datetime import UTC, datetime

import pytest

from commerce.audit.models import AuditEntry
from commerce.outbox.models import OutboxEvent
from commerce.shipments.services import TrackingInput, tracking_events_apply
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

PARCEL = {"courier": "kuaidi100", "carrier": "yuantong", "tracking_no": "YT1234567890123"}


@pytest.fixture
def order(channel, stocked):
    return create_order(channel, status="paid")


def test_an_operator_records_a_parcel(order):
    response = client_for("operator").post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["order_id"], body["courier"], body["carrier"], body["tracking_no"], body["status"]) == (
        order.pk,
        "kuaidi100",
        "yuantong",
        "YT1234567890123",
        "created",
    )
    assert (body["events"], body["latest_event"]) == ([], None)
    assert OutboxEvent.objects.filter(name="shipment.created").count() == 1
    entry = AuditEntry.objects.get(subject_type="order", subject_id=str(order.pk), action="shipment_created")
    assert entry.actor_label == "user-operator"


def test_the_same_parcel_again_answers_200_with_it(order):
    client = client_for("supervisor")
    first = client.post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json").json()

    again = client.post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json")

    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    assert OutboxEvent.objects.filter(name="shipment.created").count() == 1


def test_a_tracking_number_of_another_order_answers_409(order, channel):
    other = create_order(channel, external_id="E-2", status="paid")
    client_for("admin").post(f"/api/v1/orders/{other.pk}/shipments/", PARCEL, format="json")

    response = client_for("admin").post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "tracking_no_taken")
    assert not order.shipments.exists()


def test_bad_input_names_the_field_and_a_manager_may_not_write(order):
    bad = client_for("operator").post(
        f"/api/v1/orders/{order.pk}/shipments/", {"courier": "Kuaidi 100", "tracking_no": ""}, format="json"
    )
    forbidden = client_for("manager").post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json")

    assert bad.status_code == 400 and set(bad.json()["details"]) == {"courier", "tracking_no"}
    assert forbidden.status_code == 403
    assert not order.shipments.exists()


def test_everyone_reads_the_parcels_with_their_tracking_oldest_first(order):
    client_for("operator").post(f"/api/v1/orders/{order.pk}/shipments/", PARCEL, format="json")
    tracking_events_apply(
        courier="kuaidi100",
        tracking_no="YT1234567890123",
        events=[
            TrackingInput(occurred_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC), status="in_transit", code="0"),
            TrackingInput(occurred_at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC), status="in_transit", code="1"),
        ],
        actor=TEST_ACTOR,
        source="tests",
    )

    response = client_for("manager").get(f"/api/v1/orders/{order.pk}/shipments/")

    assert response.status_code == 200
    [parcel] = response.json()["results"]
    assert [e["occurred_at"] for e in parcel["events"]] == ["2026-03-01T01:00:00Z", "2026-03-01T02:00:00Z"]
    assert parcel["latest_event"]["occurred_at"] == "2026-03-01T02:00:00Z"


def test_an_unknown_order_answers_404():
    assert client_for("operator").get("/api/v1/orders/987654/shipments/").status_code == 404
    assert client_for("operator").post("/api/v1/orders/987654/shipments/", PARCEL, format="json").status_code == 404
