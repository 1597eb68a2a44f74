"""``GET /api/v1/executions/stats/``: the flow list's last run and 7-day runs and failures, in one call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from runtime import statuses
from runtime.api.stats import execution_stats
from runtime.models import Execution
from tests.conftest import client_for
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/stats/"


def _flow(name):
    return publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "seen"})], name=name))


def _run(flow, status, *, days_ago=0.0, started=True):
    created = timezone.now() - timedelta(days=days_ago)
    return Execution.objects.create(
        flow=flow,
        flow_version=flow.current_version,
        trigger_type="event",
        status=status,
        created_at=created,
        started_at=created + timedelta(seconds=2) if started else None,
    )


def _iso(value):
    return value.isoformat().replace("+00:00", "Z")


def test_each_flow_gets_its_last_run_and_its_runs_and_failures_of_the_last_7_days():
    busy, quiet = _flow("Busy"), _flow("Quiet")
    _run(busy, statuses.DEAD, days_ago=10)  # outside the window
    _run(busy, statuses.DEAD, days_ago=3)
    _run(busy, statuses.SUCCEEDED, days_ago=2)
    latest = _run(busy, statuses.RETRYING, days_ago=0.1)

    response = client_for("manager").get(URL, {"flow": [busy.pk, quiet.pk]})

    assert response.status_code == 200
    body = response.json()
    assert body["window_days"] == 7
    assert body["flows"] == [
        {"flow": busy.pk, "last_run_at": _iso(latest.started_at), "last_status": "retrying", "runs": 3, "failures": 1},
        {"flow": quiet.pk, "last_run_at": None, "last_status": None, "runs": 0, "failures": 0},
    ]


def test_a_run_that_has_not_started_counts_from_when_it_was_created():
    flow = _flow("Pending")
    pending = _run(flow, statuses.PENDING, started=False)

    [row] = client_for("operator").get(URL, {"flow": flow.pk}).json()["flows"]

    assert (row["last_run_at"], row["last_status"], row["runs"]) == (_iso(pending.created_at), "pending", 1)


def test_without_ids_every_flow_is_answered_and_unknown_ids_are_left_out():
    first, second = _flow("First"), _flow("Second")
    _run(second, statuses.DEAD)

    everything = client_for("manager").get(URL).json()["flows"]
    asked = client_for("manager").get(URL, {"flow": [second.pk, 999999]}).json()["flows"]

    assert [(row["flow"], row["failures"]) for row in everything] == [(first.pk, 0), (second.pk, 1)]
    assert [row["flow"] for row in asked] == [second.pk]


def test_the_stats_of_any_number_of_flows_take_one_query(django_assert_num_queries):
    flows = [_flow(f"Flow {n}") for n in range(5)]
    for flow in flows:
        _run(flow, statuses.SUCCEEDED)
        _run(flow, statuses.DEAD)

    with django_assert_num_queries(1):
        rows = execution_stats(flow_ids=[f.pk for f in flows], since=timezone.now() - timedelta(days=7))

    assert [(row["runs"], row["failures"], row["last_status"]) for row in rows] == [(2, 1, "dead")] * 5


def test_flow_ids_that_are_not_positive_integers_are_refused():
    response = client_for("manager").get(URL, {"flow": ["12", "abc"]})
    zero = client_for("manager").get(URL, {"flow": "0"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]["flow"]) == ["1"]
    assert (zero.status_code, list(zero.json()["details"])) == (400, ["flow"])


def test_more_than_200_flow_ids_are_refused():
    response = client_for("manager").get(URL, {"flow": list(range(1, 202))})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "flow" in response.json()["details"]


def test_200_flow_ids_are_fine():
    assert client_for("manager").get(URL, {"flow": list(range(1, 201))}).status_code == 200


def test_the_stats_need_a_login():
    response = client_for(None).get(URL)

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
