import pytest
from django.test import Client

from orderflow.web import views
from tests.factories import make_user

SESSION = "/api/v1/auth/session/"


@pytest.fixture
def operator(db):
    user = make_user("op", "operator")
    user.set_password("pw-123456")
    user.save()
    return user


def _csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    answer = client.get(SESSION)
    return client, answer.cookies["csrftoken"].value


def test_get_sets_the_csrf_cookie_and_says_nobody_is_logged_in(db):
    client = Client(enforce_csrf_checks=True)

    answer = client.get(SESSION)

    assert answer.status_code == 200
    assert answer.json() == {"authenticated": False}
    assert answer.cookies["csrftoken"].value


def test_login_with_the_csrf_token_opens_a_session_that_the_api_accepts(operator):
    client, token = _csrf_client()

    answer = client.post(
        SESSION, {"username": "op", "password": "pw-123456"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert answer.status_code == 200
    assert answer.json() == {"authenticated": True, "username": "op", "roles": ["operator"]}
    assert client.get("/api/v1/auth/me/").json() == {"username": "op", "roles": ["operator"]}
    assert client.get(SESSION).json()["authenticated"] is True


def test_login_without_the_csrf_token_is_refused(operator):
    client, _token = _csrf_client()

    answer = client.post(SESSION, {"username": "op", "password": "pw-123456"}, content_type="application/json")

    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_wrong_password_answers_401_and_logs_nobody_in(operator):
    client, token = _csrf_client()

    answer = client.post(
        SESSION, {"username": "op", "password": "nope"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed"
    assert client.get(SESSION).json() == {"authenticated": False}


def test_delete_logs_out(operator):
    client, token = _csrf_client()
    client.post(
        SESSION, {"username": "op", "password": "pw-123456"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    token = client.cookies["csrftoken"].value  # login rotates the token

    answer = client.delete(SESSION, HTTP_X_CSRFTOKEN=token)

    assert answer.status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_root_redirects_to_the_app(db):
    answer = Client().get("/")

    assert answer.status_code == 302
    assert answer["Location"] == "/app/"


def test_every_app_route_answers_index_html(db, tmp_path, monkeypatch):
    index = tmp_path / "index.html"
    index.write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    monkeypatch.setattr(views, "INDEX_HTML", index)

    for path in ("/app/", "/app/flows/12", "/app/tickets/3"):
        answer = Client().get(path)
        assert answer.status_code == 200
        assert answer.content == b"<!doctype html><div id=root></div>"
        assert answer.cookies["csrftoken"].value


def test_app_route_says_how_to_build_when_the_app_is_not_built(db, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "INDEX_HTML", tmp_path / "missing.html")

    answer = Client().get("/app/")

    assert answer.status_code == 503
    assert b"npm run build" in answer.content
