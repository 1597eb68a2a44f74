"""The buyer's IP and device in the order's representation: full in events and for the roles that
read phone numbers, masked for the others (an IP is personal data)."""

import pytest

from commerce.outbox.models import OutboxEvent
from core.privacy import mask_ip
from tests.conftest import client_for
from tests.factories import order_payload

pytestmark = pytest.mark.django_db


def _placed():
    body = order_payload(client_ip="198.51.100.7", device="iPhone15,2 iOS 17.4 Taobao/10.32")
    answer = client_for("admin").post("/api/v1/orders/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_the_order_answer_carries_the_ip_masked_and_the_device(channel, stocked):
    order = _placed()

    operator = client_for("operator").get(f"/api/v1/orders/{order['id']}/").json()
    supervisor = client_for("supervisor").get(f"/api/v1/orders/{order['id']}/").json()

    assert (operator["client_ip"], operator["device"]) == ("198.51.100.*", "iPhone15,2 iOS 17.4 Taobao/10.32")
    assert supervisor["client_ip"] == "198.51.100.7"
    listed = client_for("operator").get("/api/v1/orders/").json()["results"]
    assert [o["client_ip"] for o in listed] == ["198.51.100.*"]


def test_the_order_events_carry_the_ip_and_device_in_full(channel, stocked):
    order = _placed()

    created = OutboxEvent.objects.get(name="order.created", subject_id=str(order["id"]))

    assert (created.payload["order"]["client_ip"], created.payload["order"]["device"]) == (
        "198.51.100.7",
        "iPhone15,2 iOS 17.4 Taobao/10.32",
    )


def test_an_order_without_ip_answers_null_and_an_empty_device(channel, stocked):
    answer = client_for("operator").post("/api/v1/orders/", order_payload(external_id="TM-NOIP"), format="json")

    assert (answer.json()["client_ip"], answer.json()["device"]) == (None, "")


@pytest.mark.parametrize(
    "ip, masked",
    [
        ("203.0.113.77", "203.0.113.*"),
        ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:*"),
        (None, None),
        ("", ""),
    ],
)
def test_mask_ip(ip, masked):
    assert mask_ip(ip) == masked
