"""``core.api.parsers.json_loads``: one rule for every JSON body — what no column can hold is refused
with its reason and the RFC 6901 pointer of its place."""

import json

import pytest

from core.api.parsers import MAX_DEPTH, InvalidJson, is_storable_text, json_loads, printable_name


def _refusal(raw: str) -> dict:
    with pytest.raises(InvalidJson) as caught:
        json_loads(raw)
    assert caught.value.code == "invalid_json"
    assert caught.value.http_status == 400
    return caught.value.details


@pytest.mark.parametrize(
    ("raw", "details"),
    [
        ('{"name": "a\\u0000b"}', {"reason": "unstorable_text", "pointer": "/name"}),
        ('{"lines": [{"sku": "\\u0000"}]}', {"reason": "unstorable_text", "pointer": "/lines/0/sku"}),
        ('{"a": {"b\\u0000": 1}}', {"reason": "unstorable_text", "pointer": "/a"}),
        ('{"name": "\\ud800"}', {"reason": "unstorable_text", "pointer": "/name"}),
        ('{"name": "\\udfff tail"}', {"reason": "unstorable_text", "pointer": "/name"}),
        ('{"\\ud83d": true}', {"reason": "unstorable_text", "pointer": ""}),
        ('"\\u0000"', {"reason": "unstorable_text", "pointer": ""}),
        ('{"a/b": {"c~d": "\\u0000"}}', {"reason": "unstorable_text", "pointer": "/a~1b/c~0d"}),
        ('{"amount": 1e400}', {"reason": "non_finite_number", "pointer": "/amount"}),
        ('{"amount": -1e400}', {"reason": "non_finite_number", "pointer": "/amount"}),
        ('{"lines": [1, NaN]}', {"reason": "non_finite_number", "pointer": "/lines/1"}),
        ('{"x": Infinity}', {"reason": "non_finite_number", "pointer": "/x"}),
        ('{"x": -Infinity}', {"reason": "non_finite_number", "pointer": "/x"}),
        ("1e400", {"reason": "non_finite_number", "pointer": ""}),
    ],
)
def test_an_unstorable_value_is_refused_where_it_is(raw, details):
    assert _refusal(raw) == details


def test_the_message_names_the_number():
    with pytest.raises(InvalidJson) as caught:
        json_loads('{"amount": 1e400}')

    assert str(caught.value.message) == "The number 1e400 cannot be stored: it is too large or not a number."


def test_nesting_up_to_the_bound_passes_and_one_more_level_is_refused():
    at_bound = '{"a": ' * (MAX_DEPTH - 1) + "[]" + "}" * (MAX_DEPTH - 1)
    over = '{"a": ' * MAX_DEPTH + "[]" + "}" * MAX_DEPTH

    assert json_loads(at_bound) == json.loads(at_bound)
    assert _refusal(over) == {"reason": "too_deep", "pointer": "/a" * MAX_DEPTH, "max_depth": MAX_DEPTH}


def test_nesting_deep_enough_to_exhaust_the_parser_is_refused_not_crashed():
    assert _refusal("[" * 100_000 + "]" * 100_000)["reason"] == "too_deep"
    assert _refusal('{"a": ' * 50_000 + "1" + "}" * 50_000)["reason"] == "too_deep"


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "茶叶 \\ud83c\\udf75", "note": "", "n": 1.5e300, "big": 123456789012345678901234567890}',
        '[1, -0.0, 2.5e-300, true, null, "\\u0001 control is storable"]',
        '"plain"',
        "{}",
    ],
)
def test_storable_json_passes_unchanged(raw):
    assert json_loads(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", ['{"a": 1', "{'a': 1}", "", b"\xff\xfe"])
def test_text_that_is_not_json_stays_a_value_error(raw):
    with pytest.raises(ValueError):
        json_loads(raw)


def test_storable_text_and_printable_names():
    assert is_storable_text("订单 #1\t\n")
    assert not is_storable_text("a\x00b")
    assert not is_storable_text("\ud800")
    assert printable_name("a\x00b\ud800") == "a\\u0000b\\ud800"
