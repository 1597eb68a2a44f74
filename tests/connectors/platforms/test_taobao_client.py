"""The TOP client against the simulated gateway of a sandbox connection, and its error mapping."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.models import Connection
from connectors.platforms.taobao.client import BASE_URL, GATEWAY, response_key, top_error
from connectors.platforms.taobao.sandbox import SANDBOX_CREDENTIALS, TaobaoSimulator
from connectors.platforms.taobao.signing import top_sign
from connectors.sandbox import SimRequest
from connectors.services.connections import connection_client, connection_test

from .support import fixture_json, sandbox_connection


@pytest.fixture
def connection(db) -> Connection:
    return sandbox_connection("taobao")


def refused(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


def test_a_sandbox_connection_gets_the_sandbox_credentials_and_passes_the_check(connection):
    result = connection_test(connection_id=connection.pk)

    assert result.ok is True
    connection.refresh_from_db()
    assert connection.last_success_at is not None
    assert connection.consecutive_failures == 0


def test_the_client_posts_a_signed_form_with_format_json_and_v_2(connection):
    client = connection_client(connection)

    form = client.signed_form("taobao.time.get", {"page_no": 2, "use_has_next": True, "skip": None})

    assert GATEWAY == "https://eco.taobao.com/router/rest"
    assert {key: form[key] for key in ("method", "app_key", "session", "format", "v", "sign_method")} == {
        "method": "taobao.time.get",
        "app_key": "12345678",
        "session": "sandbox-top-session",
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
    }
    assert form["page_no"] == "2"
    assert form["use_has_next"] == "true"
    assert "skip" not in form
    assert form["sign"] == top_sign(form, "sandbox-top-app-secret")


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_the_gateway_accepts_each_sign_method(db, sign_method):
    connection = sandbox_connection("taobao", credentials={**SANDBOX_CREDENTIALS, "sign_method": sign_method})

    seller = connection_client(connection).seller()

    assert seller == {"user_id": 2200000000001, "nick": "orderflow沙箱旗舰店"}


def test_a_wrong_secret_is_an_invalid_signature_and_not_retried(db):
    connection = sandbox_connection(
        "taobao", credentials={**SANDBOX_CREDENTIALS, "app_secret": "sandbox-top-app-secreT"}
    )

    error = refused(connection_client(connection).seller)
    result = connection_test(connection_id=connection.pk)

    assert (error.code, error.retryable, error.retry_after) == ("25", False, None)
    assert error.message == "Taobao TOP error 25 Invalid signature"
    assert (result.ok, result.code) == (False, "25")
    connection.refresh_from_db()
    assert connection.consecutive_failures == 1


def test_a_wrong_session_is_an_invalid_session_and_not_retried(db):
    connection = sandbox_connection("taobao", credentials={**SANDBOX_CREDENTIALS, "session": "expired-session"})

    error = refused(connection_client(connection).seller)

    assert (error.code, error.retryable) == ("27:invalid-sessionkey", False)


def test_a_timestamp_eleven_minutes_old_is_refused(connection):
    client = connection_client(connection)
    client.clock = lambda: timezone.now() - timedelta(minutes=11)

    error = refused(client.seller)

    assert (error.code, error.retryable) == ("31:isv.invalid-timestamp", False)


def test_an_unknown_app_key_is_refused(db):
    connection = sandbox_connection("taobao", credentials={**SANDBOX_CREDENTIALS, "app_key": "87654321"})

    assert refused(connection_client(connection).seller).code == "29:isv.appkey-not-exists"


def test_the_frequency_limit_answers_app_call_limited_with_the_ban_as_retry_after(connection):
    TaobaoSimulator(connection).configure(rate_limit={"calls": 2, "seconds": 60, "ban_seconds": 30})
    client = connection_client(connection)
    client.seller()
    client.seller()

    error = refused(client.seller)

    assert error.code == "7:accesscontrol.limited-by-app-access-count"
    assert error.retryable is True
    assert error.retry_after == 30.0
    assert error.message == (
        "Taobao TOP error 7 App Call Limited "
        "(accesscontrol.limited-by-app-access-count: This ban will last for 30 more seconds)"
    )


def test_http_429_with_retry_after_and_5xx_are_retryable_and_4xx_is_not(connection):
    simulator = TaobaoSimulator(connection)
    simulator.fault_next(429, {"Retry-After": "12"})
    simulator.fault_next(503)
    simulator.fault_next(400)
    client = connection_client(connection)

    errors = [refused(client.seller) for _ in range(3)]

    assert [(e.code, e.retryable, e.retry_after) for e in errors] == [
        ("http_429", True, 12.0),
        ("http_503", True, None),
        ("http_400", False, None),
    ]
    assert client.seller()["nick"] == "orderflow沙箱旗舰店"  # each fault answered once


def test_error_bodies_map_to_retryable_or_terminal():
    limited = top_error(fixture_json("taobao", "error_response_app_call_limited.json")["error_response"])
    session = top_error(fixture_json("taobao", "error_response_invalid_session.json")["error_response"])
    signature = top_error(fixture_json("taobao", "error_response_invalid_signature.json")["error_response"])
    remote = top_error(fixture_json("taobao", "error_response_isp_remote_timeout.json")["error_response"])

    assert (limited.retryable, limited.retry_after) == (True, 71.0)
    assert (session.retryable, session.code) == (False, "27:invalid-sessionkey")
    assert (signature.retryable, signature.code) == (False, "25")
    assert (remote.retryable, remote.code) == (True, "15:isp.top-remote-connection-timeout")


def test_response_keys_drop_the_taobao_prefix():
    assert response_key("taobao.trades.sold.increment.get") == "trades_sold_increment_get_response"
    assert response_key("taobao.tmc.messages.consume") == "tmc_messages_consume_response"


def form_request(params: dict) -> SimRequest:
    from urllib.parse import urlencode

    return SimRequest(
        method="POST",
        url=GATEWAY,
        path="/router/rest",
        query={},
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        body=urlencode(params).encode(),
    )


def test_the_simulator_refuses_a_flipped_sign_and_answers_a_good_one(connection):
    simulator = TaobaoSimulator(connection)
    params = {
        "method": "taobao.time.get",
        "app_key": "12345678",
        "timestamp": timezone.now().astimezone(timezone.get_fixed_timezone(480)).strftime("%Y-%m-%d %H:%M:%S"),
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
    }
    good = {**params, "sign": top_sign(params, "sandbox-top-app-secret")}
    flipped = {**good, "sign": ("0" if good["sign"][0] != "0" else "1") + good["sign"][1:]}

    answered = simulator.handle(form_request(good))
    refused_answer = simulator.handle(form_request(flipped))

    assert simulator.base_url == BASE_URL
    assert answered.status == 200
    assert list(json.loads(answered.body)) == ["time_get_response"]
    assert json.loads(refused_answer.body)["error_response"]["code"] == 25
