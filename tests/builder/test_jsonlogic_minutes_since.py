"""``minutes_since``: the one operator flows add to JsonLogic, for "older than N minutes/hours"."""

import json
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from json_logic import jsonLogic

from builder import jsonlogic
from builder.validation import rule_problems
from runtime.conditions import OPERATIONS, evaluate

# The cases the editor's json-logic-js side reads too (frontend/src/editor/condition.test.ts).
VECTORS = json.loads((Path(__file__).parent / "fixtures" / "jsonlogic" / "minutes_since.json").read_text())
NOW = datetime(2026, 12, 6, 14, 0, 0, tzinfo=UTC)
assert datetime.fromisoformat(VECTORS["now"]) == NOW


@pytest.fixture(autouse=True)
def frozen_now():
    with mock.patch("builder.jsonlogic.timezone.now", return_value=NOW):
        yield


def since(value):
    return jsonLogic({"minutes_since": [{"var": "t"}]}, {"t": value}, OPERATIONS)


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        ("2026-12-06T14:00:00Z", 0),
        ("2026-12-06T13:59:00.001Z", 0),  # 59.999 s: not yet a minute
        ("2026-12-06T13:59:00Z", 1),  # exactly one minute
        ("2026-12-06T13:00:00+00:00", 60),
        ("2026-12-06T12:00:00", 120),  # no offset: UTC
        ("2026-12-06", 14 * 60),  # a date: its midnight, UTC
        ("2026-12-06T14:00:30Z", -1),  # a time to come: negative, rounded down
    ],
)
def test_whole_minutes_to_now_rounded_down(value, minutes):
    assert since(value) == minutes


@pytest.mark.parametrize(("value", "minutes"), VECTORS["cases"])
def test_the_cases_both_engines_share(value, minutes):
    assert since(value) == minutes


def test_the_offset_is_read_so_the_same_instant_gives_the_same_minutes():
    assert since("2026-12-06T21:30:00+08:00") == since("2026-12-06T13:30:00Z") == 30
    assert since("2026-12-06T08:30:00-05:00") == 30


@pytest.mark.parametrize(
    "value",
    [None, "", "soon", "2026-13-45T00:00:00Z", "20261206T1400", "2026-12-06T14:00:00 UTC", 1700000000, True, [], {}],
)
def test_a_missing_or_unreadable_time_is_null(value):
    assert since(value) is None


def test_a_missing_path_is_null_and_never_older_than_anything():
    assert jsonLogic({"minutes_since": [{"var": "order.paid_at"}]}, {"order": {}}, OPERATIONS) is None
    older = {">=": [{"minutes_since": [{"var": "order.paid_at"}]}, 30]}
    assert evaluate(older, {"order": {}}) is False
    assert evaluate(older, {"order": {"paid_at": "not a time"}}) is False


def test_older_than_n_minutes_through_the_runtime_evaluator():
    older = {">=": [{"minutes_since": [{"var": "order.paid_at"}]}, 120]}
    assert evaluate(older, {"order": {"paid_at": "2026-12-06T12:00:00Z"}}) is True
    assert evaluate(older, {"order": {"paid_at": "2026-12-06T12:00:01Z"}}) is False
    # the single-argument form without a list means the same
    assert evaluate({">=": [{"minutes_since": {"var": "t"}}, 120]}, {"t": "2026-12-06T20:00:00+08:00"}) is True


def test_the_validator_knows_it_and_it_has_a_name_in_both_languages():
    assert "minutes_since" in jsonlogic.OPERATORS
    assert rule_problems({">=": [{"minutes_since": [{"var": "order.paid_at"}]}, 60]}) == []
    named = {entry["operator"]: entry["name"] for entry in jsonlogic.operator_catalog()}
    assert named["minutes_since"]["zh"] and named["minutes_since"]["en"]
    assert [p.code for p in rule_problems({"hours_since": [{"var": "order.paid_at"}]})] == ["unknown_operator"]


def test_a_replay_reads_its_own_moment_as_now_and_the_wall_clock_returns_after():
    with jsonlogic.clock(datetime(2026, 12, 6, 12, 0, tzinfo=UTC)):
        assert since("2026-12-06T11:00:00Z") == 60
    assert since("2026-12-06T11:00:00Z") == 180
