"""The Pinduoduo client against the simulated gateway of a sandbox connection, and its error mapping."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.platforms.pinduoduo.client import GATEWAY, pdd_error
from connectors.platforms.pinduoduo.sandbox import SANDBOX_CREDENTIALS, PinduoduoSimulator
from connectors.platforms.pinduoduo.signing import pdd_sign
from connectors.services.connections import connection_client, connection_test

from .support import fixture_json, sandbox_connection


def refused(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


def test_a_sandbox_connection_passes_the_check_with_the_mall(db):
    connection = sandbox_connection("pinduoduo")

    result = connection_test(connection_id=connection.pk)
    mall = connection_client(connection).mall()

    assert result.ok is True
    assert (mall["mall_id"], mall["mall_name"]) == (880000001, "Orderflow 沙箱拼多多店")


def test_the_client_posts_the_common_parameters_signed(db):
    client = connection_client(sandbox_connection("pinduoduo"))

    form = client.signed_form("pdd.mall.info.get", {"page": 1, "use_has_next": False})

    assert GATEWAY == "https://gw-api.pinduoduo.com/api/router"
    assert {key: form[key] for key in ("type", "client_id", "access_token", "data_type", "version")} == {
        "type": "pdd.mall.info.get",
        "client_id": "sandbox0pdd0client0id0000000000a",
        "access_token": "sandbox-pdd-access-token",
        "data_type": "JSON",
        "version": "V1",
    }
    assert form["timestamp"].isdigit() and len(form["timestamp"]) == 10  # unix seconds
    assert (form["page"], form["use_has_next"]) == ("1", "false")
    assert form["sign"] == pdd_sign(form, "sandbox-pdd-client-secret")


def test_a_wrong_secret_is_refused_with_20004_and_not_retried(db):
    connection = sandbox_connection(
        "pinduoduo", credentials={**SANDBOX_CREDENTIALS, "client_secret": "sandbox-pdd-client-secreT"}
    )

    error = refused(connection_client(connection).mall)

    assert (error.code, error.retryable, error.message) == (
        "20004",
        False,
        "Pinduoduo error 20004: 签名验证失败 签名验证失败",
    )


def test_an_expired_access_token_is_10019_and_not_retried(db):
    connection = sandbox_connection("pinduoduo", credentials={**SANDBOX_CREDENTIALS, "access_token": "old-token"})

    error = refused(connection_client(connection).mall)

    assert (error.code, error.retryable) == ("10019", False)


def test_a_timestamp_eleven_minutes_old_is_refused(db):
    client = connection_client(sandbox_connection("pinduoduo"))
    client.clock = lambda: timezone.now() - timedelta(minutes=11)

    error = refused(client.mall)

    assert (error.code, error.retryable, error.message) == (
        "10000",
        False,
        "Pinduoduo error 10000: 参数错误 timestamp不合法或已过期",
    )


def test_the_frequency_limit_answers_70031_which_is_retried(db):
    connection = sandbox_connection("pinduoduo")
    PinduoduoSimulator(connection).configure(rate_limit={"calls": 1, "seconds": 60, "ban_seconds": 10})
    client = connection_client(connection)
    client.mall()

    error = refused(client.mall)

    assert (error.code, error.retryable, error.retry_after) == ("70031", True, None)


def test_http_429_and_5xx_are_retried(db):
    connection = sandbox_connection("pinduoduo")
    simulator = PinduoduoSimulator(connection)
    simulator.fault_next(429, {"Retry-After": "5"})
    simulator.fault_next(502)
    client = connection_client(connection)

    errors = [refused(client.mall), refused(client.mall)]

    assert [(e.code, e.retryable, e.retry_after) for e in errors] == [("http_429", True, 5.0), ("http_502", True, None)]


def test_the_kept_error_bodies_map_to_retryable_or_terminal():
    limited = pdd_error(fixture_json("pinduoduo", "error_response_access_frequency_too_high.json")["error_response"])
    expired = pdd_error(fixture_json("pinduoduo", "error_response_access_token_expired.json")["error_response"])
    sign = pdd_error(fixture_json("pinduoduo", "error_response_sign_invalid.json")["error_response"])
    worded = pdd_error({"error_code": 70099, "error_msg": "Access frequency too high"})

    assert [(e.code, e.retryable) for e in (limited, expired, sign, worded)] == [
        ("70031", True),
        ("10019", False),
        ("20004", False),
        ("70099", True),
    ]
