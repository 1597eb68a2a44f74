"""API tokens expire (``ORDERFLOW_TOKEN_TTL_HOURS`` after issue) and can be revoked — one's own, or by an
admin anyone's; an expired or revoked token answers 401 with the error body. The login answers an
unknown user, a wrong password and an inactive user alike, and passwords are validated."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Passphrase-7"
WRONG = {"code": "authentication_failed", "message": "Wrong username or password.", "details": {}}


@pytest.fixture
def operator():
    user = make_user("op", "operator")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(username: str = "op", password: str = PASSWORD):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )


def _me(key: str):
    return APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")


def _age(key: str, hours: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=hours))


def test_a_token_works_until_its_lifetime_is_over_then_answers_401_with_the_error_body(operator, settings):
    settings.ORDERFLOW_TOKEN_TTL_HOURS = 24
    key = _login().json()["token"]
    _age(key, 23.9)
    assert _me(key).status_code == 200

    _age(key, 24)
    expired = _me(key)

    assert expired.status_code == 401
    assert expired.json() == {
        "code": "authentication_failed",
        "message": "The token has expired. Log in again for a new one.",
        "details": {},
    }
    assert expired["WWW-Authenticate"] == "Token"


def test_a_login_hands_out_the_live_token_again_and_replaces_an_expired_one(operator, settings):
    settings.ORDERFLOW_TOKEN_TTL_HOURS = 2
    first = _login().json()["token"]
    assert _login().json()["token"] == first  # a second client does not sign the first out

    _age(first, 3)
    second = _login().json()["token"]

    assert second != first
    assert list(Token.objects.filter(user=operator).values_list("key", flat=True)) == [second]
    assert _me(second).status_code == 200
    assert _me(first).status_code == 401


def test_revoking_ones_own_token_signs_out_every_client_holding_it(operator):
    key = _login().json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")

    revoked = client.post("/api/v1/auth/token/revoke/", format="json")

    assert (revoked.status_code, revoked.content) == (204, b"")
    after = _me(key)
    assert after.status_code == 401
    assert after.json() == {"code": "authentication_failed", "message": "Invalid token.", "details": {}}
    assert _login().json()["token"] != key


def test_an_admin_revokes_another_users_token_and_no_one_else_may(operator):
    key = _login().json()["token"]
    admin = APIClient()
    admin.force_authenticate(make_user("root", "admin"))
    supervisor = APIClient()
    supervisor.force_authenticate(make_user("sup", "supervisor"))

    refused = supervisor.delete(f"/api/v1/auth/tokens/{operator.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert _me(key).status_code == 200

    assert admin.delete(f"/api/v1/auth/tokens/{operator.pk}/").status_code == 204
    assert _me(key).status_code == 401
    assert admin.delete(f"/api/v1/auth/tokens/{operator.pk}/").status_code == 204  # none left: still done
    missing = admin.delete("/api/v1/auth/tokens/987654321/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_the_login_answers_an_unknown_user_a_wrong_password_and_an_inactive_user_alike(operator):
    make_user("gone", "operator")
    from django.contrib.auth.models import User

    gone = User.objects.get(username="gone")
    gone.set_password(PASSWORD)
    gone.is_active = False
    gone.save()

    answers = [_login("nobody-here"), _login("op", "wrong-password"), _login("gone")]

    assert [(a.status_code, a.json()) for a in answers] == [(401, WRONG)] * 3
    assert not Token.objects.filter(user=gone).exists()


@pytest.mark.parametrize("password", ["short7", "password123", "12345678901", "op-user-op"])
def test_weak_passwords_are_refused(password):
    user = make_user("op-user", "operator")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_passes():
    validate_password(PASSWORD, make_user("op-user", "operator"))
