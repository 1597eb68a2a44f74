"""Every cursor-paginated list in the URL configuration answers a cursor it did not give out with
400 ``invalid_cursor`` and the error body — never 404, never 500.

The lists are found by walking ``orderflow.urls`` for views whose pagination is DRF's cursor
pagination (the project's ``core.api.pagination.CursorPagination`` must be it): a new list is
covered without touching this file. A view of that kind that answers no page (a detail view
inheriting the default pagination) is recognised by its answer and left out.
"""

import base64
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import pagination

from core.api.pagination import CursorPagination
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _cursor_routes() -> list[tuple[str, type]]:
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        paginator = getattr(view, "pagination_class", None)
        if view is not None and hasattr(view, "get") and paginator and issubclass(paginator, pagination.BasePagination):
            routes.append((route, paginator))
    return routes


CURSOR_ROUTES = _cursor_routes()


def _b64(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


BAD_CURSORS = {
    "not base64": "abc",
    "not base64 at all": "!!!***",
    "not ASCII": "游标",
    "a position of the wrong type": _b64("p=not-a-position"),
    "a negative offset": _b64("o=-1"),
    "a direction that is not 0 or 1": _b64("r=sideways"),
    "a NUL character in the position": _b64("p=%00"),
    "a NUL character alone": _b64("p=\x00"),
    "a position past every integer column": _b64("p=" + "9" * 30),
    "a date that does not exist": _b64("p=2026-13-45T25:61:00Z"),
    # far longer than any column, and still inside the URL limit (past it: 414, test_url_length.py)
    "a position far too long": _b64("p=" + "x" * 2000),
}


@pytest.fixture
def filled(stocked, channel):
    """The URL parameters of the lists: a stock row, a channel, a scheduled job and a connection
    (made on first use)."""
    from django_q.models import Schedule

    Schedule.objects.create(name="pagination.test", func="math.floor", args="1")
    values = {"stock_id": stocked.pk, "channel": channel.code, "job": "pagination.test"}

    def fill(route: str) -> str:
        path = "/" + route
        if "<int:connection_id>" in path and "connection_id" not in values:
            from connectors.services.connections import ConnectionInput, connection_create

            credentials = {"shop_domain": "a.myshopify.com", "access_token": "t", "client_secret": "s"}
            connection = connection_create(
                data=ConnectionInput(connector="shopify", name="a", credentials=credentials, settings={})
            )
            values["connection_id"] = connection.pk
        path = re.sub(r"<\w+:(\w+)>", lambda m: str(values.get(m.group(1), m.group(0))), path)
        return re.sub(r"<\w+:\w+>", "999999", path)  # a row not made here: the view answers 404

    return fill


def test_every_cursor_pagination_is_the_projects():
    assert CURSOR_ROUTES
    for route, paginator in CURSOR_ROUTES:
        if issubclass(paginator, pagination.CursorPagination):
            assert issubclass(paginator, CursorPagination), f"{route}: use core.api.pagination.CursorPagination"


def test_the_walk_finds_the_lists():
    routes = {route for route, _paginator in CURSOR_ROUTES}

    assert {
        "api/v1/orders/",
        "api/v1/inventory/",
        "api/v1/inventory/<int:stock_id>/movements/",
        "api/v1/flows/",
        "api/v1/executions/",
        "api/v1/tickets/",
        "api/v1/connections/<int:connection_id>/deliveries/",
    } <= routes


@pytest.mark.parametrize("route", [route for route, _paginator in CURSOR_ROUTES])
def test_a_cursor_not_given_out_is_400_with_the_error_body(filled, route):
    client = client_for("admin")
    url = filled(route)
    first = client.get(url)
    if first.status_code == 404:
        pytest.skip(f"{route} is one row's detail, and no such row is made here")
    if not (isinstance(first.json(), dict) and "results" in first.json()):
        pytest.skip(f"{route} answers one object, not a page")
    for what, cursor in BAD_CURSORS.items():
        response = client.get(url, {"cursor": cursor})

        assert response.status_code == 400, (route, what, response.status_code, response.content[:300])
        assert response.json() == {
            "code": "invalid_cursor",
            "message": "The cursor is not one this list gave out; start again from the first page.",
            "details": {},
        }, (route, what)
    # An offset past DRF's cutoff is read as the cutoff (1,000 rows on): a page, not an error.
    capped = client.get(url, {"cursor": _b64("o=" + "9" * 40)})
    assert capped.status_code == 200, (route, capped.content[:300])


def test_the_cursors_a_list_gives_out_are_still_followed(channel, stocked):
    from tests.factories import create_order

    numbers = [create_order(channel, external_id=f"E-{n}").number for n in range(3)]
    client = client_for("admin")

    first = client.get("/api/v1/orders/", {"page_size": 2})
    second = client.get(first.json()["next"])
    back = client.get(second.json()["previous"])

    assert [o["number"] for o in first.json()["results"]] == numbers[::-1][:2]
    assert [o["number"] for o in second.json()["results"]] == numbers[:1]
    assert back.json()["results"] == first.json()["results"]
