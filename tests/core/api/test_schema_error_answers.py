"""The schema documents the refusals every operation can give, each with the error body."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db
ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema():
    client = APIClient()
    client.force_authenticate(make_user("reader", "manager"))
    return client.get("/api/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_error_status_of_every_operation_has_the_error_body(schema):
    for path, method, operation in _operations(schema):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert answer["content"]["application/json"]["schema"] == ERROR, (method, path, status)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "details"}


def test_the_refusals_are_documented_where_they_can_happen(schema):
    operations = {(method, path): set(op["responses"]) for path, method, op in _operations(schema)}

    assert {"400", "401", "403", "404", "503"} <= operations[("get", "/api/v1/orders/{order_id}/")]
    assert {"400", "401", "403", "409", "413", "415", "503"} <= operations[("post", "/api/v1/orders/")]
    assert "409" in operations[("post", "/api/v1/tickets/{ticket_id}/assign-to-me/")]
    assert {"400", "401", "413", "415", "429", "503"} <= operations[("post", "/api/v1/auth/token/")]
    assert "403" not in operations[("post", "/api/v1/auth/token/")]
    assert all({"400", "503"} <= statuses for statuses in operations.values())
