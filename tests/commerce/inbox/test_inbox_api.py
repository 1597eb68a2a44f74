import pytest
from django.contrib.auth.models import User

from commerce.inbox import services
from commerce.inbox.models import Notification, NotificationRead
from core.actors import Actor
from tests.conftest import client_for
from tests.factories import create_order, make_user

pytestmark = pytest.mark.django_db

FLOW_ACTOR = Actor(kind="flow_execution", id="91", label="Big refunds", source="flow:7")


def _notify(**overrides) -> Notification:
    params = {
        "to_role": "supervisor",
        "title": "Refund over 1000 waiting",
        "body": "Please approve.",
        "order_id": None,
        "actor": FLOW_ACTOR,
    }
    params.update(overrides)
    return services.inbox_notify(**params)


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_list_has_the_documented_shape(channel, stocked):
    order = create_order(channel)
    notification = _notify(order_id=order.pk)

    response = client_for("supervisor").get("/api/v1/inbox/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": notification.pk,
            "to_role": "supervisor",
            "title": "Refund over 1000 waiting",
            "body": "Please approve.",
            "order": order.pk,
            "order_number": order.number,
            "created_by": {"kind": "flow_execution", "id": "91", "label": "Big refunds", "source": "flow:7"},
            "created_at": _iso(notification.created_at),
            "read": False,
        }
    ]
    assert response.json()["next"] is None


def test_each_role_sees_only_its_own_notifications(db):
    for_ops = _notify(to_role="operator", title="ops")
    for_finance = _notify(to_role="finance", title="finance")
    _notify(to_role="admin", title="admins")

    ops = client_for("operator").get("/api/v1/inbox/").json()["results"]
    finance = client_for("finance").get("/api/v1/inbox/").json()["results"]
    manager = client_for("manager").get("/api/v1/inbox/").json()["results"]

    assert [n["id"] for n in ops] == [for_ops.pk]
    assert [n["id"] for n in finance] == [for_finance.pk]
    assert manager == []


def test_a_superuser_reads_the_admin_inbox(db):
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    for_admins = _notify(to_role="admin")
    _notify(to_role="operator")
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(root)

    assert [n["id"] for n in client.get("/api/v1/inbox/").json()["results"]] == [for_admins.pk]


def test_unread_count_read_and_read_all(db):
    first = _notify()
    _notify()
    _notify()
    _notify(to_role="finance")
    client = client_for("supervisor")

    before = client.get("/api/v1/inbox/unread-count/")
    read = client.post(f"/api/v1/inbox/{first.pk}/read/", format="json")
    after_one = client.get("/api/v1/inbox/unread-count/")
    read_all = client.post("/api/v1/inbox/read-all/", format="json")
    after_all = client.get("/api/v1/inbox/unread-count/")

    assert before.json() == {"unread": 3}
    assert read.status_code == 200
    assert (read.json()["id"], read.json()["read"]) == (first.pk, True)
    assert after_one.json() == {"unread": 2}
    assert read_all.json() == {"marked": 2, "unread": 0}
    assert after_all.json() == {"unread": 0}
    assert [n["read"] for n in client.get("/api/v1/inbox/").json()["results"]] == [True, True, True]
    assert client_for("finance").get("/api/v1/inbox/unread-count/").json() == {"unread": 1}


def test_reading_is_idempotent(db):
    notification = _notify()
    client = client_for("supervisor")
    client.post(f"/api/v1/inbox/{notification.pk}/read/", format="json")

    again = client.post(f"/api/v1/inbox/{notification.pk}/read/", format="json")

    assert again.status_code == 200
    assert again.json()["read"] is True
    assert NotificationRead.objects.count() == 1


def test_reading_another_roles_notification_is_404_and_reveals_nothing(db):
    secret = _notify(to_role="finance", title="Payout batch failed")

    response = client_for("operator").post(f"/api/v1/inbox/{secret.pk}/read/", format="json")
    missing = client_for("operator").post("/api/v1/inbox/999999/read/", format="json")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No notification with this id is addressed to you.",
        "details": {"notification_id": secret.pk},
    }
    assert missing.status_code == 404
    assert missing.json()["message"] == response.json()["message"]
    assert NotificationRead.objects.count() == 0


def test_read_all_leaves_other_roles_and_other_people_alone(db):
    _notify(to_role="supervisor")
    _notify(to_role="finance")
    other = make_user("other-supervisor", "supervisor")

    client_for("supervisor").post("/api/v1/inbox/read-all/", format="json")

    assert NotificationRead.objects.filter(user=other).count() == 0
    assert NotificationRead.objects.filter(notification__to_role="finance").count() == 0
    assert client_for("finance").get("/api/v1/inbox/unread-count/").json() == {"unread": 1}


def test_unread_filter(db):
    read = _notify(title="read")
    unread = _notify(title="unread")
    client = client_for("supervisor")
    client.post(f"/api/v1/inbox/{read.pk}/read/", format="json")

    only_unread = client.get("/api/v1/inbox/?unread=true").json()["results"]
    only_read = client.get("/api/v1/inbox/?unread=false").json()["results"]
    bad = client.get("/api/v1/inbox/?unread=maybe")

    assert [n["id"] for n in only_unread] == [unread.pk]
    assert [n["id"] for n in only_read] == [read.pk]
    assert bad.status_code == 400
    assert list(bad.json()["details"]) == ["unread"]


def test_cursor_pagination_newest_first(db):
    notes = [_notify(title=f"n{i}") for i in range(3)]
    client = client_for("supervisor")

    first = client.get("/api/v1/inbox/?page_size=2").json()
    second = client.get(first["next"]).json()

    assert [n["id"] for n in first["results"]] == [notes[2].pk, notes[1].pk]
    assert [n["id"] for n in second["results"]] == [notes[0].pk]


def test_unauthenticated_is_401(db):
    response = client_for(None).get("/api/v1/inbox/unread-count/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_user_without_a_role_is_403(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("nobody", None))

    response = client.get("/api/v1/inbox/")

    assert response.status_code == 403
