"""The Douyin shop client against the simulated open API of a sandbox connection, and its error mapping."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.platforms.douyin.client import BASE_URL, douyin_error, method_path
from connectors.platforms.douyin.sandbox import SANDBOX_CREDENTIALS, DouyinSimulator
from connectors.platforms.douyin.signing import douyin_sign
from connectors.sandbox import SimRequest
from connectors.services.connections import connection_client, connection_test

from .support import fixture_json, sandbox_connection


def refused(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("sign_method", ["md5", "hmac-sha256"])
def test_a_sandbox_connection_passes_the_check_with_either_sign_method(db, sign_method):
    connection = sandbox_connection("douyin", credentials={**SANDBOX_CREDENTIALS, "sign_method": sign_method})

    assert connection_test(connection_id=connection.pk).ok is True
    assert connection_client(connection).brands()[0]["brand_chinese_name"] == "Orderflow 好物"


def test_the_method_is_the_path_and_the_signature_is_in_the_query(db):
    client = connection_client(sandbox_connection("douyin"))

    query = client.signed_query("order.searchList", '{"page":0}')

    assert BASE_URL + method_path("order.searchList") == "https://openapi-fxg.jinritemai.com/order/searchList"
    assert sorted(query) == ["access_token", "app_key", "method", "sign", "sign_method", "timestamp", "v"]
    assert query["v"] == "2"
    assert query["sign"] == douyin_sign(
        app_key="7000000000000000001",
        app_secret="sandbox-douyin-app-secret",
        method="order.searchList",
        param_json='{"page":0}',
        timestamp=query["timestamp"],
    )


def test_a_wrong_secret_is_an_invalid_signature(db):
    connection = sandbox_connection(
        "douyin", credentials={**SANDBOX_CREDENTIALS, "app_secret": "sandbox-douyin-app-secreT"}
    )

    error = refused(connection_client(connection).brands)

    assert (error.code, error.retryable) == ("40003:isv.signature-invalid", False)
    assert error.message == "Douyin shop error 40003: 非法的参数（平台校验） 签名校验失败"


def test_an_unknown_token_is_refused_and_not_retried(db):
    connection = sandbox_connection("douyin", credentials={**SANDBOX_CREDENTIALS, "access_token": "old"})

    error = refused(connection_client(connection).brands)

    assert (error.code, error.retryable) == ("40003:isv.access-token-no-existed", False)


def test_a_timestamp_eleven_minutes_old_is_refused(db):
    client = connection_client(sandbox_connection("douyin"))
    client.clock = lambda: timezone.now() - timedelta(minutes=11)

    error = refused(client.brands)

    assert (error.code, error.retryable) == ("40003:isv.timestamp-invalid", False)


def test_the_simulator_reads_the_body_sorted_so_unsorted_signed_json_fails(db):
    connection = sandbox_connection("douyin")
    simulator = DouyinSimulator(connection)
    client = connection_client(connection)
    unsorted = '{"size":10,"page":0}'
    query = client.signed_query("shop.brandList", unsorted)

    answer = simulator.handle(
        SimRequest("POST", "", method_path("shop.brandList"), {k: [v] for k, v in query.items()}, {}, unsorted.encode())
    )

    assert json.loads(answer.body)["sub_code"] == "isv.signature-invalid"


def test_the_frequency_limit_is_60000_and_retried(db):
    connection = sandbox_connection("douyin")
    DouyinSimulator(connection).configure(rate_limit={"calls": 1, "seconds": 60})
    client = connection_client(connection)
    client.brands()

    error = refused(client.brands)

    assert (error.code, error.retryable) == ("60000", True)


def test_http_429_and_5xx_are_retried(db):
    connection = sandbox_connection("douyin")
    simulator = DouyinSimulator(connection)
    simulator.fault_next(429, {"Retry-After": "9"})
    simulator.fault_next(504)
    client = connection_client(connection)

    errors = [refused(client.brands), refused(client.brands)]

    assert [(e.code, e.retryable, e.retry_after) for e in errors] == [("http_429", True, 9.0), ("http_504", True, None)]


def test_the_kept_error_bodies_map_to_retryable_or_terminal():
    errors = [
        douyin_error(fixture_json("douyin", name))
        for name in (
            "error_rate_limited.json",
            "error_service_unavailable.json",
            "error_access_token_expired.json",
            "error_signature_invalid.json",
        )
    ]

    assert [(e.code, e.retryable) for e in errors] == [
        ("60000", True),
        ("20000:dop.service-error", True),
        ("40003:isv.access-token-expired", False),
        ("40003:isv.signature-invalid", False),
    ]
