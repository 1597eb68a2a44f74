"""Every paginated list answers a cursor it did not give out with 400 ``invalid_cursor``, never 404 or 500."""

import base64

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _paginated_lists() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.rsplit("/", 1)[-1].startswith("Paginated"):
            paths.append(path)
    return paths


PAGINATED = _paginated_lists()


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


BAD_CURSORS = {
    "not base64": "abc",
    "a position of the wrong type": _cursor("p=not-a-position"),
    "a negative offset": _cursor("o=-1"),
}


def test_the_lists_are_found():
    assert {"/api/v1/orders/", "/api/v1/inventory/", "/api/v1/inventory/{stock_id}/movements/"} <= set(PAGINATED)


def _url(path: str, stocked) -> str:
    """The list's URL with its parameters filled with rows made here (a stock row, a connection, a job)."""
    if "{connection_id}" in path:
        from connectors.services.connections import ConnectionInput, connection_create

        credentials = {"shop_domain": "a.myshopify.com", "access_token": "t", "client_secret": "s"}
        connection = connection_create(
            data=ConnectionInput(connector="shopify", name="a", credentials=credentials, settings={})
        )
        path = path.replace("{connection_id}", str(connection.pk))
    if "{job}" in path:
        from django_q.models import Schedule

        path = path.replace("{job}", Schedule.objects.create(name="orders.expire_unpaid", func="f", minutes=1).name)
    return path.replace("{stock_id}", str(stocked.pk))


@pytest.mark.parametrize("path", PAGINATED)
def test_a_cursor_not_given_out_is_400(stocked, path):
    client = client_for("admin")
    url = _url(path, stocked)
    for what, cursor in BAD_CURSORS.items():
        response = client.get(url, {"cursor": cursor})

        assert response.status_code == 400, (path, what, response.content[:300])
        assert response.json()["code"] == "invalid_cursor", (path, what)
        assert response.json()["details"] == {}


@pytest.mark.parametrize("path", PAGINATED)
def test_a_cursor_given_out_is_followed(stocked, path):
    client = client_for("admin")
    url = _url(path, stocked)

    response = client.get(url, {"page_size": 1})

    assert response.status_code == 200, (path, response.content[:300])
    assert set(response.json()) == {"next", "previous", "results"}
