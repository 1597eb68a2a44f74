"""What the four marketplace connectors share: time, money, the HTTP call and the windowed poller."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from connectors.base import ProviderError
from connectors.http import MAX_RETRY_AFTER_SECONDS, TIMEOUT, retry_after_seconds
from connectors.platforms.marketplace import (
    CHINA,
    ListedPage,
    WindowPoller,
    china_text,
    china_time,
    discount_between,
    fen_to_yuan,
    gateway_call,
    yuan,
    yuan_to_fen,
)


def test_times_are_beijing_time_without_daylight_saving():
    moment = datetime(2024, 7, 1, 2, 30, tzinfo=UTC)

    assert china_text(moment) == "2024-07-01 10:30:00"
    assert china_time("2024-07-01 10:30:00") == moment
    assert CHINA.utcoffset(None) == timedelta(hours=8)


def test_yuan_reads_strings_and_json_numbers_to_cents_and_refuses_the_rest():
    assert [yuan("200.07"), yuan(59.9), yuan(12), yuan("0")] == [
        Decimal("200.07"),
        Decimal("59.90"),
        Decimal("12.00"),
        Decimal("0.00"),
    ]
    for bad in ("", None, True, "-1.00", "NaN", "1e12", "abc"):
        with pytest.raises(ValueError):
            yuan(bad)


def test_fen_is_integer_cents():
    assert [fen_to_yuan(1999), fen_to_yuan("5"), fen_to_yuan(0)] == [Decimal("19.99"), Decimal("0.05"), Decimal("0.00")]
    assert yuan_to_fen(Decimal("19.99")) == 1999
    for bad in (19.99, "19.99", -1, True, None):
        with pytest.raises(ValueError):
            fen_to_yuan(bad)


def test_the_discount_is_what_makes_the_total_what_the_buyer_paid():
    assert discount_between(Decimal("554.00"), Decimal("0.00"), Decimal("545.00")) == Decimal("9.00")
    assert discount_between(Decimal("100.00"), Decimal("8.00"), Decimal("120.00")) == Decimal("0.00")


def test_retry_after_takes_seconds_or_an_http_date():
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("2.0") == 2.0  # Shopify's
    assert retry_after_seconds("inf") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    # A wait too long for any timedelta, or a date millennia ahead, is read as a day.
    assert retry_after_seconds("9" * 20) == MAX_RETRY_AFTER_SECONDS == 86400.0
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT") == MAX_RETRY_AFTER_SECONDS


class Session:
    """Records the keyword arguments of each call and answers with ``answer`` (a response or an exception)."""

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[dict] = []

    def request(self, method, url, **kwargs):
        self.calls.append(kwargs)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def response(status: int, body: bytes, headers: dict | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.raw = io.BytesIO(body)
    answer.headers.update(headers or {})
    return answer


def test_every_call_has_the_explicit_timeout_and_a_timeout_is_retryable():
    session = Session(requests.Timeout("read timed out"))

    with pytest.raises(ProviderError) as caught:
        gateway_call("P", session, "POST", "https://gw.example/api", data={"a": "1"})

    assert session.calls == [{"timeout": TIMEOUT, "data": {"a": "1"}}]
    assert (caught.value.code, caught.value.retryable) == ("timeout", True)


def test_an_unreachable_gateway_is_retryable_and_a_body_that_is_not_an_object_is_not():
    with pytest.raises(ProviderError) as unreachable:
        gateway_call("P", Session(requests.ConnectionError("refused")), "GET", "https://gw.example/")
    with pytest.raises(ProviderError) as listed:
        gateway_call("P", Session(response(200, b"[1, 2]")), "GET", "https://gw.example/")
    with pytest.raises(ProviderError) as html:
        gateway_call("P", Session(response(200, b"<html>")), "GET", "https://gw.example/")

    assert (unreachable.value.code, unreachable.value.retryable) == ("unreachable", True)
    assert (listed.value.code, listed.value.retryable) == ("malformed_response", False)
    assert (html.value.code, html.value.retryable) == ("malformed_response", False)


class CountingPoller(WindowPoller):
    """A window poller over an in-memory list of (modified, id) pairs, newest first."""

    def list_page(self, client, start, end, page, size):
        inside = sorted((item for item in client if start <= item[0] <= end), reverse=True)
        return ListedPage(orders=inside[(page - 1) * size : page * size], total=len(inside))

    def inbound(self, client, listed):
        return tuple(item[1] for item in listed)


def test_the_window_poller_counts_reads_back_and_moves_on_by_windows_that_overlap():
    now = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)  # the horizon is 11:59 (settle: a minute)
    shop = [(now - timedelta(hours=2, minutes=minutes), f"o{minutes}") for minutes in range(5)]  # o0 10:00 … o4 9:56
    poller = CountingPoller(page_size=2, max_span=timedelta(hours=1), first_lookback=timedelta(hours=3))
    pages = []
    cursor: dict = {}

    while True:
        page = poller.poll(shop, cursor, now)
        pages.append(page.orders)
        cursor = page.cursor
        if not page.more:
            break

    assert pages == [
        (),  # 8:59–9:59 counted: o1…o4, two pages
        ("o3", "o4"),
        ("o1", "o2"),
        (),  # 9:56–10:56 (3 minutes of overlap) counted: o0…o4, three pages
        ("o4",),
        ("o2", "o3"),
        ("o0", "o1"),
        (),  # 10:53–11:53: nothing
        (),  # 11:50–11:59, the horizon: done
    ]
    assert cursor == {"start": "2024-05-02T11:56:00+00:00"}


def test_the_window_poller_does_nothing_before_the_horizon_moves():
    now = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
    poller = CountingPoller()

    page = poller.poll([], {"start": "2024-05-02T11:59:00+00:00"}, now)

    assert (page.orders, page.cursor, page.more) == ((), {"start": "2024-05-02T11:59:00+00:00"}, False)


def test_a_window_goes_on_with_the_page_size_it_was_counted_with():
    now = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
    shop = [(now - timedelta(minutes=10 + minutes), f"o{minutes}") for minutes in range(5)]
    counted = CountingPoller(page_size=2).poll(shop, {"start": "2024-05-02T11:00:00+00:00"}, now)

    rest = CountingPoller(page_size=100).poll(shop, counted.cursor, now)

    assert counted.cursor == {
        "start": "2024-05-02T11:00:00+00:00",
        "end": "2024-05-02T11:59:00+00:00",
        "page": 3,
        "size": 2,
    }
    assert rest.orders == ("o4",)
