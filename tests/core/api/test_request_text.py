"""A NUL character anywhere else a request carries text — the path, a query parameter's name or value,
a header — is refused with 400 and the validation error body before any view sees it
(``StorableRequestTextMiddleware``); form fields are refused by Django's and DRF's own fields.
Then every list of the API gets hostile values in each of its documented query parameters: none
answers a 5xx.
"""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from core.accounts.api import TokenRequestSerializer
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NUL_REFUSED = ["Null characters are not allowed."]


def _assert_invalid(response, details: dict):
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"code": "invalid", "message": "The request is not valid.", "details": details}


def test_a_nul_in_a_query_value_is_refused_naming_the_parameter(operator_client):
    _assert_invalid(operator_client.get("/api/v1/orders/?q=%00"), {"q": NUL_REFUSED})
    _assert_invalid(operator_client.get("/api/v1/orders/?status=paid&channel=a%00b"), {"channel": NUL_REFUSED})


def test_a_nul_in_a_query_name_is_refused(operator_client):
    _assert_invalid(operator_client.get("/api/v1/orders/?st%00atus=paid"), {"st\\u0000atus": NUL_REFUSED})


def test_a_nul_in_the_path_is_refused_before_the_lookup(db):
    _assert_invalid(
        Client().post("/hooks/flows/abc%00def/", data="{}", content_type="application/json"), {"path": NUL_REFUSED}
    )
    _assert_invalid(Client().get("/app/orders%00/"), {"path": NUL_REFUSED})


def test_a_nul_in_a_header_is_refused(db):
    response = Client().post(
        "/hooks/flows/some-token/", data="{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k\x00"
    )

    _assert_invalid(response, {"header:Idempotency-Key": NUL_REFUSED})


def test_text_without_nul_passes_untouched(operator_client):
    response = operator_client.get("/api/v1/orders/?q=%E8%8C%B6%09x")

    assert response.status_code == 200


def test_drf_text_fields_refuse_nul_themselves():
    incoming = TokenRequestSerializer(data={"username": "ad\x00min", "password": "x"})

    assert not incoming.is_valid()
    assert incoming.errors["username"] == ["Null characters are not allowed."]
    assert serializers.CharField().run_validation("ok") == "ok"


def test_the_admin_login_form_refuses_nul_with_a_form_error_not_a_500(db):
    make_user("boss", "admin")
    client = Client()
    page = client.get("/admin/login/")
    token = page.cookies["csrftoken"].value

    response = client.post(
        "/admin/login/", {"username": "bo\x00ss", "password": "pw\x00", "csrfmiddlewaretoken": token, "next": "/admin/"}
    )

    assert response.status_code == 200
    assert b"Null characters are not allowed." in response.content


# --- every list, every documented query parameter, hostile values ------------------------------------

HOSTILE = [
    "\x00",
    "1e400",
    "nan",
    "-inf",
    "9" * 40,
    "-1",
    "x" * 5000,
    "2026-13-45T25:61:00Z",
    "%",
    "' OR 1=1 --",
    "游标",
]


def _lists_with_parameters() -> list[tuple[str, list[str]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        if names:
            found.append((path, names))
    return found


LISTS = _lists_with_parameters()


def test_the_lists_with_parameters_are_found():
    assert {"/api/v1/orders/", "/api/v1/executions/"} <= {path for path, _names in LISTS}


@pytest.mark.parametrize(("path", "names"), LISTS, ids=[path for path, _n in LISTS])
def test_hostile_query_values_never_give_a_server_error(channel, stocked, path, names):
    client = client_for("admin")
    for name in names:
        for value in HOSTILE:
            response = client.get(path, {name: value})

            assert response.status_code < 500, (path, name, value[:20], response.status_code, response.content[:300])
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message", "details"}, (path, name, response.content[:300])


def test_an_integer_past_every_column_in_a_filter_finds_nothing_or_is_named(operator_client, is_postgres):
    response = operator_client.get("/api/v1/tickets/", {"order": "9" * 30})

    if is_postgres:  # PostgreSQL compares it with the column: no ticket has it
        assert (response.status_code, response.json()["results"]) == (200, [])
    else:  # SQLite cannot bind it: the exception handler names the parameter
        _assert_invalid(response, {"order": ["The number is larger than any stored value."]})
