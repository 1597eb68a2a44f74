"""The schema fuzz's schemathesis hooks (``tests/fuzz/hooks.py``), on cases made by hand: a request line
over gunicorn's cap is not sent (and is counted), one under it is; path ids are pinned to the seeded
rows except where a link of the stateful phase brought them; creates get the seeded rows."""

import importlib
from types import SimpleNamespace

import pytest
from schemathesis.core.parameters import ParameterLocation

from orderflow.gunicorn_conf import LIMIT_REQUEST_LINE

WORLD = '{"channel": "tmall", "skus": ["TEA-001"], "refundable_order_id": 7, "ids": {"order_id": 3}}'


@pytest.fixture
def hooks(monkeypatch, tmp_path):
    monkeypatch.setenv("FUZZ_WORLD", WORLD)
    monkeypatch.setenv("FUZZ_DROPPED_LOG", str(tmp_path / "dropped"))
    from tests.fuzz import hooks

    return importlib.reload(hooks)


def _case(*, path="/api/v1/orders/", method="GET", query=None, path_parameters=None, body=None, meta=None):
    formatted = path
    for name, value in (path_parameters or {}).items():
        formatted = formatted.replace("{" + name + "}", str(value))
    return SimpleNamespace(
        path=path,
        method=method,
        formatted_path=formatted,
        query=query or {},
        path_parameters=path_parameters,
        body=body,
        meta=meta,
    )


def _meta(phase: str, *, generated_path: bool, mode: str = "positive"):
    components = {ParameterLocation.PATH: object()} if generated_path else {}
    return SimpleNamespace(
        phase=SimpleNamespace(name=SimpleNamespace(value=phase)),
        components=components,
        generation=SimpleNamespace(mode=SimpleNamespace(value=mode)),
    )


def test_a_request_line_over_the_servers_cap_is_not_sent_and_is_counted(hooks, tmp_path):
    short = _case(query={"q": "x" * 5000})
    long = _case(query={"q": "天" * 900})  # 9 bytes each on the wire: 8,100 bytes

    assert hooks.request_line_bytes(short) < LIMIT_REQUEST_LINE
    assert hooks.filter_case(None, short) is True
    assert hooks.request_line_bytes(long) > LIMIT_REQUEST_LINE - hooks.MARGIN
    assert hooks.filter_case(None, long) is False
    assert (tmp_path / "dropped").read_text().startswith("GET /api/v1/orders/ ")


def test_path_ids_are_pinned_to_the_seeded_rows(hooks):
    case = _case(
        path="/api/v1/orders/{order_id}/", path_parameters={"order_id": -5}, meta=_meta("fuzzing", generated_path=True)
    )

    assert hooks.map_case(None, case).path_parameters == {"order_id": 3}


def test_an_id_a_link_brought_is_kept(hooks):
    linked = _case(
        path="/api/v1/orders/{order_id}/",
        path_parameters={"order_id": 41},
        meta=_meta("stateful", generated_path=False),
    )
    generated = _case(
        path="/api/v1/orders/{order_id}/", path_parameters={"order_id": 0}, meta=_meta("stateful", generated_path=True)
    )

    assert hooks.map_case(None, linked).path_parameters == {"order_id": 41}
    assert hooks.map_case(None, generated).path_parameters == {"order_id": 3}


def test_creates_get_the_seeded_rows_in_two_bodies_of_three(hooks):
    filled = 0
    for index in range(60):
        body = {"channel": f"c{index}", "lines": [{"sku": "nope", "quantity": index}]}
        case = hooks.map_case(None, _case(method="POST", body=body, meta=_meta("fuzzing", generated_path=False)))
        if case.body["channel"] == "tmall":
            filled += 1
            assert case.body["lines"] == [{"sku": "TEA-001", "quantity": 1 + index % 3}]
    assert 25 <= filled <= 55


def test_negative_bodies_are_left_as_generated(hooks):
    body = {"channel": "c", "lines": "not a list"}
    case = hooks.map_case(
        None, _case(method="POST", body=dict(body), meta=_meta("coverage", generated_path=False, mode="negative"))
    )

    assert case.body == body
