from datetime import UTC, datetime

import pytest

from connectors.couriers.kuaidi100.mapping import STATE_MAP, BadTracking, tracking_inputs


def test_the_state_table():
    assert STATE_MAP == {
        "0": "in_transit",
        "1": "in_transit",
        "2": "exception",
        "3": "signed",
        "4": "returned",
        "5": "out_for_delivery",
        "6": "returned",
        "7": "in_transit",
        "8": "in_transit",
        "10": "in_transit",
        "11": "in_transit",
        "12": "in_transit",
        "13": "exception",
        "14": "exception",
    }


def _result(state, *nodes):
    return {"nu": "YT1", "state": state, "data": list(nodes)}


def test_the_newest_node_carries_the_state_and_times_are_beijing_time():
    number, events = tracking_inputs(
        _result(
            "3",
            {"time": "2024-05-03 14:20:00", "context": "已签收"},
            {"time": "2024-05-02 09:10:00", "context": "在途中"},
        )
    )

    assert number == "YT1"
    assert [(e.occurred_at, e.status, e.code, e.description) for e in events] == [
        (datetime(2024, 5, 3, 6, 20, tzinfo=UTC), "signed", "3", "已签收"),
        (datetime(2024, 5, 2, 1, 10, tzinfo=UTC), "in_transit", "", "在途中"),
    ]


def test_a_node_with_its_own_state_keeps_it_and_an_unknown_state_is_in_transit():
    _, events = tracking_inputs(
        _result(
            "99",
            {"time": "2024-05-03 14:20:00", "context": "?"},
            {"time": "2024-05-02 09:10:00", "context": "派件", "status": "派件"},
        )
    )

    assert [(e.status, e.code) for e in events] == [("in_transit", "99"), ("out_for_delivery", "5")]


@pytest.mark.parametrize(
    ("result", "field"),
    [
        ([], "lastResult"),
        ({"state": "0", "data": []}, "lastResult.nu"),
        ({"nu": "YT1", "data": {}}, "lastResult.data"),
        ({"nu": "YT1", "data": ["x"]}, "lastResult.data[0]"),
        ({"nu": "YT1", "data": [{"time": "yesterday"}]}, "lastResult.data[0].time"),
    ],
)
def test_malformed_tracking_names_the_field(result, field):
    with pytest.raises(BadTracking) as raised:
        tracking_inputs(result)

    assert raised.value.field == field
