"""The flows that ran on an order: the executions list names the flow and the order, and the order's
status trace says a flow's change came from that flow and version, linking to the execution."""

import pytest

from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution
from tests.conftest import client_for
from tests.factories import create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _drive() -> None:
    for _ in range(20):
        outbox_drain()
        pending = list(Execution.objects.filter(status="pending").values_list("id", flat=True))
        if not pending:
            return
        for execution_id in pending:
            execution_run(execution_id=execution_id)


@pytest.fixture
def tagged_order(channel, stocked):
    flow = publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "paid-vip"})], name="付款打标"))
    order = create_order(channel, external_id="FL-1", status="paid")
    create_order(channel, external_id="FL-2", status="paid")  # another order, another run
    _drive()
    return flow, order


def test_executions_of_an_order_are_listed_with_the_flow_name_and_the_order(tagged_order):
    flow, order = tagged_order

    response = client_for("manager").get("/api/v1/executions/", {"subject": f"order:{order.pk}"})

    assert response.status_code == 200
    [run] = response.json()["results"]
    assert (run["flow"], run["flow_name"], run["flow_version"], run["status"]) == (flow.pk, "付款打标", 1, "succeeded")
    assert run["order"] == {"id": order.pk, "number": order.number}


def test_a_run_without_an_order_answers_order_null(tagged_order):
    flow, _order = tagged_order
    manual = publish(
        {
            "format": "orderflow.flow/v1",
            "name": "By hand",
            "trigger": {"type": "manual"},
            "nodes": [
                {
                    "id": "note",
                    "type": "action",
                    "action": "notify.inbox",
                    "params": {"to_role": "operator", "title": "hi", "body": ""},
                }
            ],
            "edges": [{"from": "trigger", "to": "note"}],
        }
    )
    client_for("operator").post(f"/api/v1/flows/{manual.pk}/run/", {"input": {}}, format="json")

    runs = client_for("operator").get("/api/v1/executions/", {"flow": manual.pk}).json()["results"]

    assert [(r["flow_name"], r["order"]) for r in runs] == [("By hand", None)]


def test_the_trace_names_the_flow_and_version_of_a_tag_and_links_to_the_execution(tagged_order):
    flow, order = tagged_order
    execution = Execution.objects.get(subject_key=f"order:{order.pk}")

    entries = client_for("operator").get(f"/api/v1/orders/{order.pk}/timeline/").json()["results"]

    tagged = [e for e in entries if e["action"] == "tagged"]
    assert [(e["changes"], e["origin"]) for e in tagged] == [
        (
            {"tag": "paid-vip"},
            {
                "kind": "flow",
                "label_zh": "来自流程「付款打标」v1",
                "label_en": "From flow “付款打标” v1",
                "link": f"/app/flows/{flow.pk}?execution={execution.pk}",
            },
        )
    ]
