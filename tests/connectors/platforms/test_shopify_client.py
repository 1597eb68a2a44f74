"""ShopifyClient against the simulated shop, through a sandbox connection's own session."""

import pytest
import requests

from connectors.base import ProviderError
from connectors.platforms.shopify.client import ShopifyClient, page_info_of, parse_call_limit, parse_link_header
from connectors.sandbox import SandboxAdapter, SimResponse
from connectors.services.connections import connection_client, connection_update

from .conftest import SKUS, T0, simulator_of


def test_the_shop_is_read_with_the_access_token_and_the_call_limit_is_kept(client):
    shop = client.shop()

    assert shop["myshopify_domain"] == "orderflow-demo.myshopify.com"
    assert shop["currency"] == "CNY"
    assert client.call_limit == (1, 40)


def test_orders_are_paged_by_the_link_header_and_follow_ups_carry_only_limit_and_page_info(client, shop):
    created = shop.orders_create(5, skus=SKUS)
    urls: list[str] = []
    client.session.hooks["response"].append(lambda response, *args, **kwargs: urls.append(response.request.url))

    first = client.orders_page(limit=2)
    second = client.orders_page(page_info=first.next_page_info, limit=2)
    third = client.orders_page(page_info=second.next_page_info, limit=2)

    assert [o["id"] for o in first.orders + second.orders + third.orders] == [o["id"] for o in created]
    assert (first.previous_page_info, third.next_page_info) == (None, None)
    assert second.previous_page_info is not None
    assert urls[0] == (
        "https://orderflow-demo.myshopify.com/admin/api/2024-07/orders.json?status=any&limit=2&order=updated_at+asc"
    )
    assert urls[1] == (
        f"https://orderflow-demo.myshopify.com/admin/api/2024-07/orders.json?limit=2&page_info={first.next_page_info}"
    )


def test_updated_at_min_leaves_out_orders_not_changed_since(client, shop):
    older = shop.orders_create(2, skus=SKUS)
    shop.clock = lambda: T0.timestamp() + 600
    newer = shop.orders_create(1, skus=SKUS)
    changed = shop.orders_update(older[0]["id"], financial_status="paid")

    page = client.orders_page(updated_at_min=T0.replace(minute=5))

    assert [o["id"] for o in page.orders] == [changed["id"], newer[0]["id"]]  # updated_at, then id
    assert [o["updated_at"] for o in page.orders] == ["2025-03-01T20:10:00+08:00"] * 2


def test_link_headers_are_split_as_shopifys_library_splits_them():
    header = (
        '<https://s.myshopify.com/admin/api/2024-07/products.json?limit=2&page_info=PREV%3D>; rel="previous", '
        '<https://s.myshopify.com/admin/api/2024-07/products.json?limit=2&page_info=FOOBAR>; rel="next"'
    )

    links = parse_link_header(header)

    assert links == {
        "previous": "https://s.myshopify.com/admin/api/2024-07/products.json?limit=2&page_info=PREV%3D",
        "next": "https://s.myshopify.com/admin/api/2024-07/products.json?limit=2&page_info=FOOBAR",
    }
    assert page_info_of(links["previous"]) == "PREV%3D"  # verbatim, not decoded
    assert page_info_of(links["next"]) == "FOOBAR"
    assert parse_link_header("") == {}
    assert parse_call_limit("32/40") == (32, 40)
    assert parse_call_limit("garbage") is None


def test_a_full_call_bucket_answers_429_with_retry_after_and_leaks_two_calls_a_second(client):
    now = [T0.timestamp()]
    simulator_of(client).clock = lambda: now[0]
    for _ in range(40):
        client.shop()
    assert client.call_limit == (40, 40)

    with pytest.raises(ProviderError) as refused:
        client.shop()

    assert (refused.value.retryable, refused.value.code, refused.value.retry_after) == (True, "rate_limited", 2.0)
    assert refused.value.message == "Shopify's API call limit is reached; try again in 2 seconds."
    now[0] += 1.0
    client.shop()
    assert client.call_limit == (39, 40)


def test_a_wrong_access_token_is_a_terminal_error_in_shopifys_words(sandbox_connection):
    changed = connection_update(connection_id=sandbox_connection.pk, credentials={"access_token": "shpat_wrong"})
    client = connection_client(changed)

    with pytest.raises(ProviderError) as refused:
        client.shop()

    assert (refused.value.retryable, refused.value.code) == (False, "unauthorized")
    assert refused.value.message == (
        "Shopify refused the access token: [API] Invalid API key or access token (unrecognized login or wrong "
        "password). Enter the Admin API access token of the app again."
    )


class Answering:
    """A stand-in provider answering every call with one response."""

    base_url = "https://orderflow-demo.myshopify.com"

    def __init__(self, answer: SimResponse):
        self.answer = answer

    def handle(self, request):
        return self.answer


def _client_answering(connection, answer: SimResponse) -> ShopifyClient:
    session = requests.Session()
    session.mount(Answering.base_url, SandboxAdapter(Answering(answer)))
    return ShopifyClient(connection, session)


@pytest.mark.parametrize(
    ("answer", "retryable", "code", "message"),
    [
        (
            SimResponse.json(503, {"errors": "Service Unavailable"}),
            True,
            "provider_unavailable",
            "Shopify had a server error (503): Service Unavailable",
        ),
        (
            SimResponse.json(429, {"errors": "Exceeded"}, {"Retry-After": "7.5"}),
            True,
            "rate_limited",
            "Shopify's API call limit is reached; try again in 7.5 seconds.",
        ),
        (
            SimResponse.json(403, {"errors": "This action requires merchant approval for read_orders scope."}),
            False,
            "forbidden",
            "Shopify refused access to shop.json: This action requires merchant approval for read_orders scope. "
            "Give the app the access scopes the connector's documentation lists.",
        ),
        (
            SimResponse.json(404, {"errors": "Not Found"}),
            False,
            "not_found",
            "Shopify has no shop.json for orderflow-demo.myshopify.com (API 2024-07): Not Found. "
            "Check the shop domain and the API version.",
        ),
        (
            SimResponse.json(422, {"errors": {"available": ["must be a number"]}}),
            False,
            "rejected",
            "Shopify refused the request (422): available: must be a number",
        ),
        (
            SimResponse(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}),
            True,
            "bad_answer",
            "Shopify answered shop.json with something that is not JSON.",
        ),
    ],
)
def test_provider_answers_become_retryable_or_terminal_errors(sandbox_connection, answer, retryable, code, message):
    client = _client_answering(sandbox_connection, answer)

    with pytest.raises(ProviderError) as failed:
        client.shop()

    assert (failed.value.retryable, failed.value.code, failed.value.message) == (retryable, code, message)


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [({"Retry-After": "30"}, 30.0), ({"Retry-After": "2.5"}, 2.5), ({}, None), ({"Retry-After": "soon"}, None)],
    ids=["seconds", "decimal seconds", "none", "unreadable"],
)
def test_a_server_error_carries_the_retry_after_shopify_sent(sandbox_connection, headers, retry_after):
    client = _client_answering(sandbox_connection, SimResponse.json(503, {"errors": "Service Unavailable"}, headers))

    with pytest.raises(ProviderError) as failed:
        client.shop()

    assert (failed.value.code, failed.value.retry_after) == ("provider_unavailable", retry_after)


class Unreachable(requests.adapters.BaseAdapter):
    def __init__(self, error: Exception):
        super().__init__()
        self.error = error
        self.timeouts: list = []

    def send(self, request, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        raise self.error

    def close(self):
        pass


@pytest.mark.parametrize(
    ("error", "code"),
    [(requests.ReadTimeout("read timed out"), "timeout"), (requests.ConnectionError("refused"), "unreachable")],
)
def test_timeouts_and_connection_errors_are_retryable_and_every_call_has_a_timeout(sandbox_connection, error, code):
    adapter = Unreachable(error)
    session = requests.Session()
    session.mount("https://", adapter)
    client = ShopifyClient(sandbox_connection, session)

    with pytest.raises(ProviderError) as failed:
        client.shop()

    assert (failed.value.retryable, failed.value.code) == (True, code)
    assert adapter.timeouts == [(3.05, 10)]


def test_a_sandbox_connection_reaches_no_other_host(client):
    client.base_url = "https://elsewhere.myshopify.com/admin/api/2024-07/"

    with pytest.raises(ProviderError) as failed:
        client.shop()

    assert (failed.value.retryable, failed.value.code) == (True, "unreachable")
