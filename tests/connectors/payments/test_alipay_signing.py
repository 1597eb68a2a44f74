"""Alipay's signatures against the real vectors (PROTOCOLS.md 2.1, 2.2)."""

from pathlib import Path

from connectors.payments.alipay import signing
from tests.connectors.conftest import VECTORS, vector

REAL = vector("alipay", "notify_vector_rsa2_sdk_nodejs.json")
GATEWAY = vector("alipay", "servicemarket_notify_vector_keep_sign_type.json")
SYNTHETIC = vector("alipay", "notify_synthetic_fzlee_testkey.json")
CERTS = VECTORS / "alipay" / "fzlee_test_certs"


def _key(path: Path):
    return signing.public_key(path.read_text())


def test_the_real_notify_verifies_under_rule_v1_only():
    key = signing.public_key(REAL["alipay_public_key_base64_der_spki"])
    params = REAL["params"]

    assert signing.notify_rule(params) == "v1"
    assert signing.notify_verify(params, key) is True
    assert signing.rsa_verify(key, signing.notify_content_v2(params), params["sign"]) is False


def test_the_service_market_message_verifies_under_rule_v2_only():
    key = _key(VECTORS / "alipay" / "alipay-notify-sign-public-key-v2.pem")
    params = GATEWAY["params"]

    assert signing.notify_rule(params) == "v2"
    assert signing.notify_verify(params, key) is True
    assert signing.rsa_verify(key, signing.notify_content_v1(params), params["sign"]) is False


def test_the_string_to_sign_is_the_documented_one():
    assert signing.notify_content_v1(SYNTHETIC["params"]) == SYNTHETIC["string_to_sign"]
    assert signing.notify_verify(SYNTHETIC["params"], _key(CERTS / "ali_public_key.pem")) is True


def test_one_byte_changed_in_a_param_the_sign_or_the_key_fails():
    key = signing.public_key(REAL["alipay_public_key_base64_der_spki"])
    params = REAL["params"]
    sign = params["sign"]
    other_key = REAL["alipay_public_key_base64_der_spki"].replace("qObrdC7h", "qObrdC7i")

    assert signing.notify_verify({**params, "total_amount": "0.11"}, key) is False
    assert signing.notify_verify({**params, "sign": ("A" if sign[0] != "A" else "B") + sign[1:]}, key) is False
    assert signing.notify_verify({**params, "extra": ""}, key) is False  # V1 keeps empty values
    try:
        assert signing.notify_verify(params, signing.public_key(other_key)) is False
    except signing.BadKey:
        pass  # a changed byte may break the key itself: still no verification


def test_a_request_signs_every_non_empty_param_but_sign_including_sign_type():
    params = {"b": "2", "a": "1", "sign_type": "RSA2", "empty": "", "sign": "x", "biz_content": '{"k":"v"}'}

    assert signing.request_content(params) == 'a=1&b=2&biz_content={"k":"v"}&sign_type=RSA2'
    private = signing.private_key((CERTS / "app_private_key.pem").read_text())
    signature = signing.request_sign(params, private)
    assert signing.rsa_verify(_key(CERTS / "app_public_key.pem"), signing.request_content(params), signature)


def test_an_answer_is_verified_over_its_raw_text_not_a_re_serialisation():
    private = signing.private_key((CERTS / "ali_private_key.pem").read_text())
    body = signing.response_sign({"code": "10000", "msg": "Success", "x": 'a "}{" b'}, "alipay.trade.query", private)
    text = body.decode()
    spaced = text.replace('"msg":"Success"', '"msg": "Success"')

    assert signing.response_verify(text, "alipay.trade.query", _key(CERTS / "ali_public_key.pem")) is True
    assert signing.response_verify(spaced, "alipay.trade.query", _key(CERTS / "ali_public_key.pem")) is False
