"""``http.request``'s SSRF guard: internal addresses are refused before anything is sent."""

import pytest
from django.utils import timezone

from commerce.audit.actors import Actor
from runtime.actions import ActionRun
from runtime.actions.http import HttpRequest
from runtime.errors import RetryableFailure, TerminalFailure
from tests.runtime.test_http_request import Sink

FORBIDDEN = [
    ("http://127.0.0.1/", "127.0.0.1"),
    ("http://10.1.2.3/", "10.1.2.3"),
    ("http://192.168.0.10:8080/", "192.168.0.10"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://[::1]/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
    ("http://localhost/", "127.0.0.1"),
    ("http://2130706433/", "127.0.0.1"),
    ("http://0177.0.0.1/", "127.0.0.1"),
    ("http://0x7f000001/", "127.0.0.1"),
    ("http://0.0.0.0/", "0.0.0.0"),
    ("http://224.0.0.1/", "224.0.0.1"),
    ("http://100.64.0.1/", "100.64.0.1"),
    ("https://[fe80::1]/", "fe80::1"),
]


def _run() -> ActionRun:
    return ActionRun(
        execution_id=None, node_id="call", key="test:call", actor=Actor.system("test"), context={}, now=timezone.now()
    )


@pytest.fixture
def sink():
    server = Sink()
    yield server
    server.close()


@pytest.mark.parametrize("url, address", FORBIDDEN)
def test_internal_addresses_are_refused_in_a_run_and_in_a_preview(url, address):
    params = {"method": "POST", "url": url, "body": {"a": 1}}

    for attempt in (HttpRequest().perform, HttpRequest().preview):
        with pytest.raises(TerminalFailure) as refused:
            attempt(params, _run())

        assert refused.value.code == "forbidden_address"
        assert refused.value.retryable is False
        assert address in refused.value.details["addresses"]


def test_a_refused_call_sends_nothing(sink, settings):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = []
    for url in (sink.url, sink.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(TerminalFailure, match="which flows may not call"):
            HttpRequest().perform({"method": "POST", "url": url, "body": "x"}, _run())

    assert sink.requests == []


@pytest.mark.parametrize(
    "allowed, host",
    [
        (["127.0.0.0/8"], "127.0.0.1"),
        (["10.0.0.0/8", "127.0.0.1"], "127.0.0.1"),
        (["localhost"], "localhost"),
        (["127.0.0.1/32"], "[::ffff:127.0.0.1]"),
    ],
)
def test_an_allowed_network_or_host_is_called(sink, settings, allowed, host):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = allowed
    url = sink.url.replace("127.0.0.1", host)

    output = HttpRequest().perform({"method": "POST", "url": url, "body": "x"}, _run())

    assert output == {"status": 200, "body": {"ok": True}}
    assert len(sink.requests) == 1


def test_an_allowed_network_does_not_open_the_others(settings):
    settings.ORDERFLOW_HTTP_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    with pytest.raises(TerminalFailure) as refused:
        HttpRequest().preview({"method": "GET", "url": "http://169.254.169.254/"}, _run())

    assert refused.value.code == "forbidden_address"


def test_a_name_that_does_not_resolve_is_retried():
    with pytest.raises(RetryableFailure) as failed:
        HttpRequest().preview({"method": "GET", "url": "http://no-such-host.invalid/"}, _run())

    assert (failed.value.code, failed.value.retryable) == ("dns_error", True)
