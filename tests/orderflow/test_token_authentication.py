"""``Authorization: Token <key>``: the user and their roles read in one query, DRF's errors kept."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.accounts.authentication import TokenAuthentication
from core.accounts.roles import roles_of
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    return Token.objects.create(user=user).key


def test_a_token_answers_its_user_and_roles_in_one_query():
    user = make_user("two-hats", "operator")
    make_user("two-hats", "manager")
    key = token_for(user)

    with CaptureQueriesContext(connection) as queries:
        found, auth = TokenAuthentication().authenticate_credentials(key)

    assert len(queries.captured_queries) == 1
    assert (found.pk, found.username, auth) == (user.pk, "two-hats", key)
    assert roles_of(found) == frozenset({"operator", "manager"})
    assert found.date_joined == User.objects.get(pk=user.pk).date_joined


def test_me_with_a_token_lists_the_roles_and_a_user_without_a_role_is_refused(api_client):
    key = token_for(make_user("op", "operator"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    me = api_client.get("/api/v1/auth/me/")

    assert me.status_code == 200
    assert me.json() == {"username": "op", "roles": ["operator"]}
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(make_user('nobody', None))}")
    refused = api_client.get("/api/v1/auth/me/")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


def test_a_role_read_with_the_token_decides_what_the_caller_may_do(api_client, channel):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(make_user('boss', 'manager'))}")

    read = api_client.get("/api/v1/orders/")
    write = api_client.post("/api/v1/orders/", {}, format="json")

    assert (read.status_code, write.status_code) == (200, 403)


def test_a_superuser_counts_as_admin_whatever_the_groups():
    user = User.objects.create_superuser("root", password="root-pass-1")

    found, _key = TokenAuthentication().authenticate_credentials(token_for(user))

    assert found.is_superuser is True
    assert roles_of(found) == frozenset({"admin"})


@pytest.mark.parametrize("header", ["Token not-a-key", "Token " + "x" * 40, "Token ' OR '1'='1"])
def test_an_unknown_token_is_401_with_the_error_body(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/api/v1/orders/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_the_token_of_an_inactive_user_is_refused():
    user = make_user("gone", "operator")
    key = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)
