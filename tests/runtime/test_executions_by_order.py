"""Executions name the order they concern, are found by its number, and their steps by node title."""

import pytest

from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution
from tests.conftest import client_for
from tests.factories import create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _tagging_flow():
    flow = event_flow("order.paid", [action("tag", "order.tag", {"tag": "seen"})])
    flow["nodes"][0]["label"] = "打上已看标签"
    return publish(flow)


def _run_all():
    outbox_drain()
    for execution in Execution.objects.all():
        execution_run(execution_id=execution.pk)


def test_executions_are_found_by_the_order_number_and_carry_the_order(channel, stocked):
    _tagging_flow()
    first = create_order(channel, external_id="BY-NUMBER-1", status="paid")
    create_order(channel, external_id="BY-NUMBER-2", status="paid")
    _run_all()

    response = client_for("manager").get("/api/v1/executions/", {"order": first.number})

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["order"] == {"id": first.pk, "number": first.number}
    assert item["subject"] == f"order:{first.pk}"


def test_an_unknown_order_number_finds_nothing_and_an_oversized_one_is_refused(channel, stocked):
    _tagging_flow()
    create_order(channel, external_id="BY-NUMBER-3", status="paid")
    _run_all()

    unknown = client_for("operator").get("/api/v1/executions/", {"order": "NO-SUCH-NUMBER"})
    oversized = client_for("operator").get("/api/v1/executions/", {"order": "9" * 33})

    assert (unknown.status_code, unknown.json()["results"]) == (200, [])
    assert oversized.status_code == 400
    assert "order" in oversized.json()["details"]


def test_steps_carry_their_node_s_title(channel, stocked):
    _tagging_flow()
    create_order(channel, external_id="TITLES-1", status="paid")
    _run_all()
    execution = Execution.objects.get()

    listed = client_for("operator").get("/api/v1/executions/").json()["results"][0]
    detail = client_for("operator").get(f"/api/v1/executions/{execution.pk}/").json()

    assert [s["node_title"] for s in listed["steps"]] == [{"zh": "打上已看标签", "en": "打上已看标签"}]
    assert detail["steps"][0]["node_title"] == listed["steps"][0]["node_title"]


def test_a_step_of_an_unlabelled_node_is_titled_by_its_action(channel, stocked):
    publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "seen"})]))
    create_order(channel, external_id="TITLES-2", status="paid")
    _run_all()

    [item] = client_for("operator").get("/api/v1/executions/").json()["results"]

    assert item["steps"][0]["node_title"]["en"] == "Tag the order"
