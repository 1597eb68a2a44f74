"""``POST /api/v1/orders/bulk/``: one action for many orders, each its own audited change, answered order by order."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order, OrderTag
from commerce.outbox.models import OutboxEvent
from tests.conftest import client_for

from .board import board_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/bulk/"


@pytest.fixture
def operator():
    return client_for("operator")


def test_tag_answers_per_order_and_audits_each(operator, channel, stocked):
    a = board_order(channel, "A", tags=("vip",))
    b = board_order(channel, "B")

    response = operator.post(URL, {"ids": [a.pk, b.pk, 987654], "action": "tag", "tag": "vip"}, format="json")

    assert response.status_code == 200
    answer = response.json()
    assert answer["results"] == [
        {"id": a.pk, "ok": True, "outcome": "unchanged"},
        {"id": b.pk, "ok": True, "outcome": "applied"},
        {"id": 987654, "ok": False, "code": "not_found", "message": "No such order.", "details": {}},
    ]
    assert (answer["ok"], answer["failed"]) == (2, 1)
    assert set(OrderTag.objects.filter(name="vip").values_list("order_id", flat=True)) == {a.pk, b.pk}
    tagged = AuditEntry.objects.filter(action=AuditEntry.TAGGED, changes__tag="vip", actor_kind="user")
    assert list(tagged.values_list("subject_id", flat=True)) == [str(b.pk)]


def test_transition_applies_where_allowed_and_names_the_error_elsewhere(operator, channel, stocked):
    paid = board_order(channel, "A", status="paid")
    unpaid = board_order(channel, "B")
    cancelled = board_order(channel, "C")
    operator.post(f"/api/v1/orders/{cancelled.pk}/transition/", {"to": "cancelled"}, format="json")

    response = operator.post(
        URL,
        {"ids": [paid.pk, unpaid.pk, cancelled.pk], "action": "transition", "to": "shipped", "reason": "仓库已发"},
        format="json",
    )

    results = response.json()["results"]
    assert results[0] == {"id": paid.pk, "ok": True, "outcome": "applied"}
    assert (results[1]["ok"], results[1]["code"]) == (False, "invalid_transition")
    assert results[1]["details"] == {
        "from": "pending_payment",
        "to": "shipped",
        "allowed": ["cancelled", "closed", "paid"],
    }
    assert results[2] == {"id": cancelled.pk, "ok": True, "outcome": "ignored"}
    assert dict(Order.objects.values_list("id", "status")) == {
        paid.pk: "shipped",
        unpaid.pk: "pending_payment",
        cancelled.pk: "cancelled",
    }
    assert OutboxEvent.objects.filter(name="order.status_changed", subject_id=str(paid.pk)).count() == 1
    moves = AuditEntry.objects.filter(subject_type="order", action=AuditEntry.TRANSITIONED, changes__reason="仓库已发")
    assert list(moves.values_list("subject_id", flat=True)) == [str(paid.pk)]
    ignored = AuditEntry.objects.filter(subject_type="order", action=AuditEntry.IGNORED, changes__reason="仓库已发")
    assert list(ignored.values_list("subject_id", flat=True)) == [str(cancelled.pk)]


def test_hold_then_release(operator, channel, stocked):
    a = board_order(channel, "A")
    b = board_order(channel, "B")
    operator.post(f"/api/v1/orders/{b.pk}/hold/", {"reason": "地址可疑"}, format="json")

    held = operator.post(URL, {"ids": [a.pk, b.pk], "action": "hold", "reason": "核对库存"}, format="json").json()
    released = operator.post(URL, {"ids": [a.pk, b.pk], "action": "release", "note": "已核对"}, format="json").json()

    assert [r["outcome"] for r in held["results"]] == ["applied", "unchanged"]
    assert [r["outcome"] for r in released["results"]] == ["applied", "applied"]
    assert Order.objects.filter(on_hold=True).count() == 0
    assert OutboxEvent.objects.filter(name="order.held", subject_id=str(a.pk)).count() == 1


def test_untag(operator, channel, stocked):
    a = board_order(channel, "A", tags=("risk",))
    b = board_order(channel, "B")

    answer = operator.post(URL, {"ids": [a.pk, b.pk], "action": "untag", "tag": "risk"}, format="json").json()

    assert [r["outcome"] for r in answer["results"]] == ["applied", "unchanged"]
    assert not OrderTag.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": list(range(1, 502)), "action": "tag", "tag": "vip"}, "ids"),
        ({"ids": [], "action": "tag", "tag": "vip"}, "ids"),
        ({"ids": ["ORDER", "ORDER"], "action": "tag", "tag": "vip"}, "ids"),
        ({"ids": ["ORDER"], "action": "delete"}, "action"),
        ({"ids": ["ORDER"], "action": "tag"}, "tag"),
        ({"ids": ["ORDER"], "action": "tag", "tag": "   "}, "tag"),
        ({"ids": ["ORDER"], "action": "hold"}, "reason"),
        ({"ids": ["ORDER"], "action": "transition"}, "to"),
        ({"ids": ["ORDER"], "action": "transition", "to": "teleported"}, "to"),
        ({"ids": [0], "action": "release"}, "ids"),
        ({"ids": "ORDER", "action": "release"}, "ids"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(operator, channel, stocked, body, field):
    order = board_order(channel, "A")
    body = {
        **body,
        "ids": [order.pk if i == "ORDER" else i for i in body["ids"]]
        if isinstance(body["ids"], list)
        else str(order.pk),
    }
    entries = AuditEntry.objects.count()

    response = operator.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]) == [field]
    assert AuditEntry.objects.count() == entries
    assert not OrderTag.objects.exists()


def test_a_repeated_id_is_named(operator, channel, stocked):
    order = board_order(channel, "A")

    response = operator.post(URL, {"ids": [order.pk, 5, order.pk], "action": "release"}, format="json")

    assert response.json()["details"] == {"ids": [f"each order once; repeated: {order.pk}"]}


@pytest.mark.parametrize("role", ["manager", "finance"])
def test_roles_that_do_not_work_orders_are_refused(role, channel, stocked):
    order = board_order(channel, "A")

    response = client_for(role).post(URL, {"ids": [order.pk], "action": "tag", "tag": "vip"}, format="json")

    assert response.status_code == 403
    assert not OrderTag.objects.exists()
