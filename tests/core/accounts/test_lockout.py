"""Login lockout (django-axes, ``core.accounts.lockout``) on the three logins: the token endpoint, the
session login and the Django admin's form.

At ``AXES_FAILURE_LIMIT`` failures for one username from one address, that pair is refused with 429
and the error body for the cool-off — even with the right password; another address is not. An
unknown username gets exactly the answers a wrong password gets, failure after failure, so the
answers never tell which usernames exist. A success before the limit resets the count.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIMIT = 5
WRONG = {"code": "authentication_failed", "message": "Wrong username or password.", "details": {}}
LOCKED = {
    "code": "too_many_failed_logins",
    "message": "Too many failed logins. Try again in 15 minutes.",
    "details": {"retry_after_seconds": 900},
}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def boss(db):
    user = make_user("boss", "admin")
    user.set_password("right-password")
    user.save()
    return user


def _token_login(username: str, password: str, address: str = "10.0.0.1"):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def _answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def test_the_token_login_locks_after_the_limit_even_with_the_right_password(boss):
    failures = [_answer(_token_login("boss", "wrong")) for _ in range(LIMIT - 1)]
    at_limit = _token_login("boss", "wrong")
    right_now = _token_login("boss", "right-password")

    assert failures == [(401, WRONG)] * (LIMIT - 1)
    assert _answer(at_limit) == (429, LOCKED)
    assert at_limit["Retry-After"] == "900"
    assert _answer(right_now) == (429, LOCKED)
    assert "token" not in right_now.json()


def test_another_address_is_not_locked_out(boss):
    for _ in range(LIMIT):
        _token_login("boss", "wrong", address="10.0.0.1")

    elsewhere = _token_login("boss", "right-password", address="10.0.0.2")

    assert elsewhere.status_code == 200
    assert set(elsewhere.json()) == {"token"}


def test_an_unknown_username_is_answered_exactly_as_a_wrong_password(boss):
    known = [_answer(_token_login("boss", "wrong", address="10.0.0.3")) for _ in range(LIMIT + 1)]
    unknown = [_answer(_token_login("nobody-here", "wrong", address="10.0.0.3")) for _ in range(LIMIT + 1)]

    assert unknown == known
    assert known[-2:] == [(429, LOCKED)] * 2


def test_a_success_before_the_limit_resets_the_count(boss):
    for _ in range(LIMIT - 1):
        _token_login("boss", "wrong")
    assert _token_login("boss", "right-password").status_code == 200

    again = [_token_login("boss", "wrong").status_code for _ in range(LIMIT - 1)]

    assert again == [401] * (LIMIT - 1)
    assert _token_login("boss", "right-password").status_code == 200


def test_the_lock_ends_after_the_cool_off(boss, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    for _ in range(LIMIT):
        _token_login("boss", "wrong")

    assert _token_login("boss", "right-password").status_code == 200


def _session_client(address: str = "10.0.1.1") -> APIClient:
    client = APIClient(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/api/v1/auth/session/")
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def test_the_session_login_locks_after_the_limit(boss):
    client = _session_client()

    failures = [
        _answer(client.post("/api/v1/auth/session/", {"username": "boss", "password": "wrong"}, format="json"))
        for _ in range(LIMIT)
    ]
    right_now = client.post("/api/v1/auth/session/", {"username": "boss", "password": "right-password"}, format="json")

    assert failures == [(401, WRONG)] * (LIMIT - 1) + [(429, LOCKED)]
    assert _answer(right_now) == (429, LOCKED)
    assert "sessionid" not in right_now.cookies


def test_the_session_and_token_logins_count_together(boss):
    client = _session_client(address="10.0.2.1")
    for _ in range(LIMIT - 1):
        client.post("/api/v1/auth/session/", {"username": "boss", "password": "wrong"}, format="json")

    assert _answer(_token_login("boss", "wrong", address="10.0.2.1")) == (429, LOCKED)


def test_the_admin_login_locks_after_the_limit(boss):
    client = Client(REMOTE_ADDR="10.0.3.1")
    client.get("/admin/login/")
    form = {"username": "boss", "csrfmiddlewaretoken": client.cookies["csrftoken"].value, "next": "/admin/"}

    failures = [client.post("/admin/login/", {**form, "password": "wrong"}).status_code for _ in range(LIMIT - 1)]
    at_limit = client.post("/admin/login/", {**form, "password": "wrong"})
    right_now = client.post("/admin/login/", {**form, "password": "right-password"})

    assert failures == [200] * (LIMIT - 1)  # the form again, with its error
    assert _answer(at_limit) == (429, LOCKED)
    assert _answer(right_now) == (429, LOCKED)
    assert "sessionid" not in right_now.cookies


def test_the_lockout_message_follows_accept_language(boss, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    for _ in range(LIMIT - 1):
        _token_login("boss", "wrong")

    english = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "boss", "password": "wrong"},
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert english.json()["message"] == LOCKED["message"]


def test_behind_a_proxy_the_client_address_comes_from_the_proxys_hop(boss, settings):
    settings.ORDERFLOW_PROXY_COUNT = 1

    def login(forwarded: str, password: str = "wrong"):
        return APIClient().post(
            "/api/v1/auth/token/",
            {"username": "boss", "password": password},
            format="json",
            REMOTE_ADDR="10.9.9.9",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(LIMIT):
        login("1.2.3.4, 203.0.113.7")  # the client wrote 1.2.3.4 itself; the proxy appended 203.0.113.7

    assert login("5.6.7.8, 203.0.113.7", "right-password").status_code == 429
    assert login("198.51.100.2", "right-password").status_code == 200
