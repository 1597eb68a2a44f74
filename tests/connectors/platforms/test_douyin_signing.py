"""Douyin's signature on worked examples.

The examples are derived here from the documented rule (PROTOCOLS.md 5.4: ``param_json`` recursively
key-sorted, ``/`` and non-ASCII unescaped; ``app_secret + "app_key"… + "v" + "2" + app_secret``,
MD5 lowercase or HMAC-SHA256); they are not platform-issued vectors.
"""

import hashlib
import hmac

from connectors.platforms.douyin.signing import douyin_sign, param_json, sign_string

BUSINESS = {"size": 100, "page": 0, "remark": "加急/顺丰", "filter": {"z": 1, "a": 2}}
PARAM_JSON = '{"filter":{"a":2,"z":1},"page":0,"remark":"加急/顺丰","size":100}'
SIGNED = (
    "douyin-app-secretapp_key7001234567890123456methodorder.searchListparam_json"
    '{"filter":{"a":2,"z":1},"page":0,"remark":"加急/顺丰","size":100}timestamp1714528806v2douyin-app-secret'
)
MD5 = "62218b0b3d4f2826e36dfc4372f9d93c"
HMAC_SHA256 = "f329026e53e33cef2a5b4b99c3802678f2ca88b37ccac78cddc0d2df8293c417"
CALL = {"app_key": "7001234567890123456", "app_secret": "douyin-app-secret", "method": "order.searchList"}


def test_param_json_sorts_keys_at_every_depth_and_escapes_neither_slash_nor_chinese():
    assert param_json(BUSINESS) == PARAM_JSON


def test_the_worked_examples_follow_the_documented_rule():
    assert sign_string(**CALL, param_json=PARAM_JSON, timestamp="1714528806") == SIGNED
    assert hashlib.md5(SIGNED.encode()).hexdigest() == MD5
    assert hmac.new(b"douyin-app-secret", SIGNED.encode(), hashlib.sha256).hexdigest() == HMAC_SHA256
    assert douyin_sign(**CALL, param_json=PARAM_JSON, timestamp="1714528806") == MD5
    assert douyin_sign(**CALL, param_json=PARAM_JSON, timestamp="1714528806", sign_method="hmac-sha256") == HMAC_SHA256


def test_a_one_byte_change_in_a_value_or_the_secret_changes_the_sign():
    changed = param_json({**BUSINESS, "page": 1})

    assert douyin_sign(**CALL, param_json=changed, timestamp="1714528806") != MD5
    assert (
        douyin_sign(**{**CALL, "app_secret": "douyin-app-secreT"}, param_json=PARAM_JSON, timestamp="1714528806") != MD5
    )
