"""The JD client against the simulated gateway of a sandbox connection, and its error mapping."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.platforms.jd.client import GATEWAY, jd_error, response_key
from connectors.platforms.jd.sandbox import SANDBOX_CREDENTIALS, JdSimulator
from connectors.platforms.jd.signing import jd_sign
from connectors.services.connections import connection_client, connection_test

from .support import fixture_json, sandbox_connection


def refused(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


def test_a_sandbox_connection_passes_the_check(db):
    connection = sandbox_connection("jd")

    assert connection_test(connection_id=connection.pk).ok is True
    assert connection_client(connection).vender()["shop_name"] == "Orderflow 沙箱京东店"


def test_the_client_sends_the_business_parameters_as_360buy_param_json_signed(db):
    client = connection_client(sandbox_connection("jd"))

    form = client.signed_form("jingdong.pop.order.search", {"page": "1", "remark": "加急"})

    assert GATEWAY == "https://api.jd.com/routerjson"
    assert sorted(form) == ["360buy_param_json", "access_token", "app_key", "method", "sign", "timestamp", "v"]
    assert json.loads(form["360buy_param_json"]) == {"page": "1", "remark": "加急"}
    assert form["v"] == "2.0"
    assert form["sign"] == jd_sign(form, "sandbox-jd-app-secret")
    assert response_key("jingdong.pop.order.search") == "jingdong_pop_order_search_responce"


def test_a_wrong_secret_is_an_invalid_signature(db):
    connection = sandbox_connection("jd", credentials={**SANDBOX_CREDENTIALS, "app_secret": "sandbox-jd-app-secreT"})

    error = refused(connection_client(connection).vender)

    assert (error.code, error.retryable, error.message) == ("12", False, "JD error 12: 无效签名")


def test_a_wrong_token_is_19_and_not_retried(db):
    connection = sandbox_connection("jd", credentials={**SANDBOX_CREDENTIALS, "access_token": "expired"})

    error = refused(connection_client(connection).vender)

    assert (error.code, error.retryable) == ("19", False)


def test_a_timestamp_seven_minutes_old_is_refused(db):
    client = connection_client(sandbox_connection("jd"))
    client.clock = lambda: timezone.now() - timedelta(minutes=7)

    error = refused(client.vender)

    assert (error.code, error.retryable) == ("8", False)


def test_the_frequency_limit_is_app_call_limited_and_retried(db):
    connection = sandbox_connection("jd")
    JdSimulator(connection).configure(rate_limit={"calls": 1, "seconds": 60})
    client = connection_client(connection)
    client.vender()

    error = refused(client.vender)

    assert (error.code, error.retryable) == ("2", True)


def test_http_429_and_5xx_are_retried(db):
    connection = sandbox_connection("jd")
    simulator = JdSimulator(connection)
    simulator.fault_next(429, {"Retry-After": "3"})
    simulator.fault_next(500)
    client = connection_client(connection)

    errors = [refused(client.vender), refused(client.vender)]

    assert [(e.code, e.retryable, e.retry_after) for e in errors] == [("http_429", True, 3.0), ("http_500", True, None)]


def test_a_search_refused_in_its_api_result_is_a_terminal_error(db):
    client = connection_client(sandbox_connection("jd"))
    now = timezone.now()

    error = refused(lambda: client.orders_modified(start=now - timedelta(days=2), end=now, page=1, page_size=100))

    assert (error.code, error.retryable, error.message) == (
        "100",
        False,
        "JD refused the order search: 查询时间跨度不能超过一天",
    )


def test_the_kept_error_bodies_map_to_retryable_or_terminal():
    assert [
        (error.code, error.retryable)
        for error in (
            jd_error(fixture_json("jd", name)["error_response"])
            for name in (
                "error_response_app_call_limited.json",
                "error_response_invalid_access_token.json",
                "error_response_invalid_signature.json",
            )
        )
    ] == [("2", True), ("19", False), ("12", False)]
