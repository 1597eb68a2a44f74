"""Saved views of the order board: each user's own, created, renamed, changed and deleted."""

import pytest

from insights.boards import services
from insights.boards.models import BoardView
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/board-views/"

VIEW = {
    "name": "待发货超时",
    "filters": {
        "status": ["paid", "processing"],
        "overdue": True,
        "tags": ["vip"],
        "city": "杭州市",
        "created_within_days": 7,
        "on_hold": None,
        "q": "",
    },
    "columns": ["number", "channel", "status", "phone", "total"],
    "ordering": "-status_changed_at",
    "layout": "kanban",
}


def test_create_then_read_back_what_was_kept():
    client = client_for("operator")

    created = client.post(URL, VIEW, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert {key: body[key] for key in ("name", "columns", "ordering", "layout")} == {
        "name": "待发货超时",
        "columns": ["number", "channel", "status", "phone", "total"],
        "ordering": "-status_changed_at",
        "layout": "kanban",
    }
    # empty filters are not kept
    assert body["filters"] == {
        "status": ["paid", "processing"],
        "overdue": True,
        "tags": ["vip"],
        "city": "杭州市",
        "created_within_days": 7,
    }
    assert client.get(URL).json() == [body]
    assert client.get(f"{URL}{body['id']}/").json() == body


def test_the_browser_session_keeps_views_too(client):
    client.force_login(make_user("session-operator", "operator"))
    csrf_free = client.post(URL, VIEW, content_type="application/json")

    assert csrf_free.status_code == 201, csrf_free.content
    assert BoardView.objects.get().owner.username == "session-operator"


def test_rename_change_and_delete():
    client = client_for("operator")
    view = client.post(URL, VIEW, format="json").json()

    renamed = client.patch(f"{URL}{view['id']}/", {"name": "我的", "layout": "table"}, format="json").json()
    refiltered = client.patch(f"{URL}{view['id']}/", {"filters": {"channel": "jd"}}, format="json").json()
    deleted = client.delete(f"{URL}{view['id']}/")

    assert (renamed["name"], renamed["layout"], renamed["filters"]["city"]) == ("我的", "table", "杭州市")
    assert refiltered["filters"] == {"channel": "jd"}
    assert deleted.status_code == 204
    assert not BoardView.objects.exists()


def test_another_users_view_does_not_exist_for_them():
    mine = client_for("operator").post(URL, VIEW, format="json").json()
    other = client_for("supervisor")

    assert other.get(URL).json() == []
    for response in (
        other.get(f"{URL}{mine['id']}/"),
        other.patch(f"{URL}{mine['id']}/", {"name": "偷看"}, format="json"),
        other.delete(f"{URL}{mine['id']}/"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert BoardView.objects.get().name == "待发货超时"


def test_a_name_in_use_is_refused_on_create_and_on_rename():
    client = client_for("operator")
    client.post(URL, VIEW, format="json")
    second = client.post(URL, {**VIEW, "name": "第二个"}, format="json").json()

    again = client.post(URL, VIEW, format="json")
    rename = client.patch(f"{URL}{second['id']}/", {"name": "待发货超时"}, format="json")

    for response in (again, rename):
        assert response.status_code == 400
        assert list(response.json()["details"]) == ["name"]
    assert sorted(BoardView.objects.values_list("name", flat=True)) == ["待发货超时", "第二个"]
    # another user may use the same name
    assert client_for("manager").post(URL, VIEW, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"filters": {"status": ["teleported"]}}, "filters"),
        ({"filters": {"status": ["paid", "paid"]}}, "filters"),
        ({"filters": {"tags": ["t"] * 11}}, "filters"),
        ({"filters": {"created_within_days": 0}}, "filters"),
        ({"filters": "status=paid"}, "filters"),
        ({"columns": ["number", "password"]}, "columns"),
        ({"columns": ["number", "number"]}, "columns"),
        ({"ordering": "-phone"}, "ordering"),
        ({"layout": "gantt"}, "layout"),
    ],
)
def test_bad_views_are_named_and_not_kept(change, field):
    response = client_for("operator").post(URL, {**VIEW, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [field]
    assert not BoardView.objects.exists()


def test_fifty_views_at_most(monkeypatch):
    monkeypatch.setattr(services, "MAX_VIEWS_PER_USER", 2)
    client = client_for("operator")
    client.post(URL, {**VIEW, "name": "一"}, format="json")
    client.post(URL, {**VIEW, "name": "二"}, format="json")

    response = client.post(URL, {**VIEW, "name": "三"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "too_many_views"
    assert BoardView.objects.count() == 2


def test_every_role_may_keep_views():
    for role in ("operator", "supervisor", "finance", "admin", "manager"):
        assert client_for(role).post(URL, VIEW, format="json").status_code == 201
    assert BoardView.objects.filter(owner=make_user("user-manager", "manager")).count() == 1
