"""The official JsonLogic test suite, run through the evaluator the runtime uses on the server.

``fixtures/jsonlogic/tests.json`` is the suite from jsonlogic.com (https://jsonlogic.com/tests.json),
kept byte for byte so the browser's json-logic-js can be checked against the same file.
"""

import json
import math
from pathlib import Path

from json_logic import jsonLogic

from builder import jsonlogic
from builder.validation import Problem, rule_problems

SUITE = Path(__file__).parent / "fixtures" / "jsonlogic" / "tests.json"


def _same(got, expected) -> bool:
    """JSON equality: numbers compare by value (1 == 1.0) but a bool is never a number."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return got == expected or (math.isnan(got) and math.isnan(expected))
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(_same, got, expected))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(_same(got[k], expected[k]) for k in got)
    return type(got) is type(expected) and got == expected


def _cases() -> list[tuple[str, object, object, object]]:
    section = ""
    cases = []
    for entry in json.loads(SUITE.read_text()):
        if isinstance(entry, str):
            section = entry
        else:
            rule, data, expected = entry
            cases.append((section, rule, data, expected))
    return cases


def test_every_case_of_the_official_suite_passes():
    cases = _cases()
    failures = []
    for section, rule, data, expected in cases:
        got = jsonLogic(rule, data)
        if not _same(got, expected):
            failures.append((section, rule, data, expected, got))

    assert len(cases) == 277
    assert failures == []


def test_the_suite_uses_only_operators_flows_may_use():
    used: set[str] = set()

    def collect(rule):
        if isinstance(rule, list):
            for item in rule:
                collect(item)
        elif isinstance(rule, dict) and len(rule) == 1:
            op, args = next(iter(rule.items()))
            used.add(op)
            collect(args)

    for _section, rule, _data, _expected in _cases():
        collect(rule)

    assert used - jsonlogic.OPERATORS == set()
    assert "log" not in jsonlogic.OPERATORS


def test_the_validator_accepts_every_rule_of_the_suite():
    refused = [(rule, rule_problems(rule)) for _section, rule, _data, _expected in _cases() if rule_problems(rule)]

    assert refused == []


def test_the_validator_refuses_unknown_operators_and_ambiguous_objects():
    assert rule_problems({"if": [{"approx": [1, 2]}, {"a": 1, "b": 2}, "no"]}) == [
        Problem("unknown_operator", "'approx' is not a JsonLogic operator", "rule", "/if/0/approx"),
        Problem(
            "invalid_rule",
            "a JsonLogic operation is an object with exactly one key (the operator), not 2",
            "rule",
            "/if/1",
        ),
    ]
