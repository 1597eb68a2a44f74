"""Kuaidi100's push and query signatures against the vector, and one byte tampered."""

import pytest

from connectors.couriers.kuaidi100.signing import push_sign, push_sign_valid, query_sign

from .conftest import KUAIDI100_VECTOR, SALT

PUSH = KUAIDI100_VECTOR["push_callback"]["form_fields"]
QUERY = KUAIDI100_VECTOR["realtime_query"]


def _tamper(text: str, at: int) -> str:
    return text[:at] + chr(ord(text[at]) ^ 1) + text[at + 1 :]


def test_the_push_sign_is_upper_md5_of_param_and_salt():
    assert push_sign(PUSH["param"], SALT) == PUSH["sign"] == "1805CCA5E9978A2BC95B07B2A92E37A4"
    assert push_sign_valid(PUSH["param"], SALT, PUSH["sign"].lower())


def test_the_query_sign_is_upper_md5_of_param_key_and_customer():
    fields = QUERY["form_fields"]

    assert query_sign(fields["param"], QUERY["key"], fields["customer"]) == fields["sign"]
    assert fields["sign"] == "AE3767267BD2D447E7F26E458751BB75"


@pytest.mark.parametrize("at", [0, 40, -3])
def test_one_tampered_byte_of_the_push_fails(at):
    assert not push_sign_valid(_tamper(PUSH["param"], at % len(PUSH["param"])), SALT, PUSH["sign"])
    assert not push_sign_valid(PUSH["param"], _tamper(SALT, at % len(SALT)), PUSH["sign"])
    assert not push_sign_valid(PUSH["param"], SALT, _tamper(PUSH["sign"], at % len(PUSH["sign"])))


@pytest.mark.parametrize("at", [0, 40, -3])
def test_one_tampered_byte_of_the_query_changes_its_sign(at):
    fields = QUERY["form_fields"]
    param = _tamper(fields["param"], at % len(fields["param"]))

    assert query_sign(param, QUERY["key"], fields["customer"]) != fields["sign"]


def test_the_push_sign_is_not_the_query_sign():
    fields = QUERY["form_fields"]

    assert not push_sign_valid(PUSH["param"], SALT, query_sign(PUSH["param"], QUERY["key"], fields["customer"]))
