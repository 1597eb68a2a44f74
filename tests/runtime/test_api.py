"""The runtime API: executions with their steps, replay, manual runs, the kill switch."""

import pytest

from commerce.inbox.models import Notification
from runtime.actions import registered
from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution, KillSwitch
from tests.conftest import client_for
from tests.factories import create_order
from tests.runtime.actions import Flaky
from tests.runtime.conftest import action, event_flow, load_template, publish

pytestmark = pytest.mark.django_db


def _manual_flow(enabled=True):
    return publish(
        {
            "format": "orderflow.flow/v1",
            "name": "Tell the supervisors",
            "trigger": {"type": "manual"},
            "nodes": [action("tell", "notify.inbox", {"to_role": "supervisor", "title": "{{ input.title }}"})],
            "edges": [{"from": "trigger", "to": "tell"}],
        },
        enabled=enabled,
    )


def test_executions_are_listed_per_flow_and_status_with_their_steps(channel, stocked, gift_stock):
    flow = publish(load_template("big-order-gift"))
    other = publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "seen"})]))
    create_order(channel, external_id="API-1", lines=(("TEA-001", 4),), status="paid")
    outbox_drain()
    for execution in Execution.objects.all():
        execution_run(execution_id=execution.pk)
    mine = Execution.objects.get(flow=flow)

    response = client_for("manager").get(f"/api/v1/executions/?flow={flow.pk}&status=succeeded")

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert (item["id"], item["flow"], item["flow_version"], item["trigger"], item["status"]) == (
        mine.pk,
        flow.pk,
        1,
        "event",
        "succeeded",
    )
    assert item["subject"] == mine.subject_key
    assert [(s["node_id"], s["kind"], s["status"], s["decision"], s["attempt"]) for s in item["steps"]] == [
        ("big", "condition", "succeeded", True, 1),
        ("gift", "action", "succeeded", None, 1),
    ]
    assert "context" not in item
    assert client_for("manager").get(f"/api/v1/executions/?flow={other.pk}&status=dead").json()["results"] == []


def test_an_unknown_execution_is_not_found():
    assert client_for("operator").get("/api/v1/executions/999999/").status_code == 404


def test_a_dead_execution_is_replayed_through_the_api(channel, stocked):
    flaky = Flaky(failures=1, retryable=False)
    with registered(flaky):
        publish(event_flow("order.paid", [action("flaky", "test.flaky")]))
        create_order(channel, external_id="API-2", status="paid")
        outbox_drain()
        execution = Execution.objects.get()
        execution_run(execution_id=execution.pk)

        assert client_for("manager").post(f"/api/v1/executions/{execution.pk}/replay/").status_code == 403
        response = client_for("operator").post(f"/api/v1/executions/{execution.pk}/replay/")
        assert (response.status_code, response.json()["status"]) == (200, "pending")
        assert execution_run(execution_id=execution.pk) == "succeeded"

    detail = client_for("operator").get(f"/api/v1/executions/{execution.pk}/").json()
    assert [(s["attempt"], s["status"]) for s in detail["steps"]] == [(1, "failed"), (2, "succeeded")]
    assert detail["context"]["event"]["type"] == "order.paid"
    again = client_for("operator").post(f"/api/v1/executions/{execution.pk}/replay/")
    assert (again.status_code, again.json()["code"]) == (409, "not_replayable")


def test_a_manual_flow_runs_from_the_api_with_its_input(q_sync, django_capture_on_commit_callbacks):
    flow = _manual_flow()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("operator").post(
            f"/api/v1/flows/{flow.pk}/run/", {"input": {"title": "Stock count at 18:00"}}, format="json"
        )

    assert response.status_code == 201
    execution = Execution.objects.get(pk=response.json()["id"])
    assert (execution.trigger_type, execution.status) == ("manual", "succeeded")
    assert execution.context["input"] == {"title": "Stock count at 18:00"}
    assert Notification.objects.get().title == "Stock count at 18:00"


def test_only_an_enabled_manual_flow_runs_by_hand(channel):
    disabled = _manual_flow(enabled=False)
    event_driven = publish(load_template("big-order-gift"))
    client = client_for("operator")

    refused = [
        client.post(f"/api/v1/flows/{f.pk}/run/", {"input": {}}, format="json") for f in (disabled, event_driven)
    ]

    assert [(r.status_code, r.json()["code"]) for r in refused] == [(409, "not_runnable"), (409, "not_runnable")]
    assert refused[1].json()["message"] == "The flow's trigger is 'event', not 'manual'."
    assert client_for("manager").post(f"/api/v1/flows/{disabled.pk}/run/", {}, format="json").status_code == 403
    assert Execution.objects.count() == 0


def test_the_kill_switch_is_read_by_everyone_and_set_by_admins_only():
    assert (
        client_for("operator")
        .post("/api/v1/runtime/kill-switch/", {"engaged": True, "reason": "x"}, format="json")
        .status_code
        == 403
    )

    response = client_for("admin").post(
        "/api/v1/runtime/kill-switch/", {"engaged": True, "reason": "courier outage"}, format="json"
    )

    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("engaged", "reason", "changed_by")} == {
        "engaged": True,
        "reason": "courier outage",
        "changed_by": "user-admin",
    }
    assert client_for("manager").get("/api/v1/runtime/kill-switch/").json()["engaged"] is True
    assert KillSwitch.objects.get().engaged is True
