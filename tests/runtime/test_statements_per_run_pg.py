"""What one flow run costs the database (PostgreSQL): statements and durable commits, counted.

A run is started as in production — a webhook flow through its URL, an order flow by an order
event through the dispatcher — and its run task (``runtime.tasks.execution_run_task``, what a
django-q2 worker calls) is run with the worker's connection captured, commit callbacks (the
successor lookup) included. The flows are the benchmark's (``bench/runtime.py``):

- webhook → condition → ``notify.inbox`` (a notification and its audit entry);
- ``order.paid`` → condition → ``order.tag`` → ``order.note``, on an order of its own.

The numbers are exact on purpose: a change that adds a statement or a commit to every run fails
here and has to say why. A durable commit is a ``COMMIT``, or a write made outside a transaction
(it commits on its own).
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import AuditEntry
from commerce.inbox.models import Notification
from runtime.dispatch import outbox_drain
from runtime.models import ActionReceipt, Execution, ExecutionStep
from runtime.tasks import execution_run_task
from tests.factories import create_order
from tests.runtime.conftest import action, condition, event_flow, publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEBHOOK_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Big webhook orders",
    "trigger": {"type": "webhook"},
    "nodes": [
        condition("big", {">=": [{"var": "webhook.body.total_amount"}, 599]}),
        action("gift", "notify.inbox", {"to_role": "operator", "title": "gift {{ webhook.body.order_id }}"}),
    ],
    "edges": [{"from": "trigger", "to": "big"}, {"from": "big", "to": "gift", "branch": "true"}],
}

ORDER_FLOW = event_flow(
    "order.paid",
    [
        condition("big", {">=": [{"var": "order.total_amount"}, 100]}),
        action("tag", "order.tag", {"tag": "big"}),
        action("note", "order.note", {"text": "Big order {{ order.number }}"}),
    ],
    edges=[("trigger", "big"), ("big", "tag", "true"), ("tag", "note")],
)

WRITES = ("INSERT", "UPDATE", "DELETE")


def _durable_commits(sqls: list[str]) -> int:
    commits, in_transaction = 0, False
    for sql in sqls:
        if sql == "BEGIN":
            in_transaction = True
        elif sql in ("COMMIT", "ROLLBACK"):
            commits += sql == "COMMIT"
            in_transaction = False
        elif not in_transaction and any(word in sql for word in WRITES):
            commits += 1
    return commits


def _counted_run(execution_id: int) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as queries:
        assert execution_run_task(execution_id) == "succeeded"
    sqls = [q["sql"] for q in queries.captured_queries]
    listing = "\n".join(sql.strip()[:140] for sql in sqls)
    return len(sqls), _durable_commits(sqls), listing


def _webhook_run(flow) -> int:
    body = json.dumps({"order_id": "X123", "total_amount": 699})
    response = Client().post(f"/hooks/flows/{flow.webhook_token}/", data=body, content_type="application/json")
    assert response.status_code == 202
    return response.json()["execution"]


def _order_run(channel, external_id: str) -> int:
    order = create_order(channel, external_id=external_id, status="paid")
    outbox_drain()
    return Execution.objects.get(subject_key=f"order:{order.pk}").pk


def test_a_webhook_run_of_a_condition_and_one_database_action(channel):
    flow = publish(WEBHOOK_FLOW)
    # A first run: the flow's slot row is made, the version's plan cached in the process.
    execution_run_task(_webhook_run(flow))
    execution_id = _webhook_run(flow)

    statements, commits, listing = _counted_run(execution_id)

    assert (statements, commits) == (9, 2), listing
    assert ExecutionStep.objects.filter(execution_id=execution_id).count() == 2
    assert ActionReceipt.objects.filter(execution_id=execution_id).count() == 1
    assert Notification.objects.count() == 2


def test_an_order_events_run_of_a_condition_and_two_actions_on_its_order(channel, stocked):
    publish(ORDER_FLOW)
    execution_run_task(_order_run(channel, "COUNT-0"))
    execution_id = _order_run(channel, "COUNT-1")

    statements, commits, listing = _counted_run(execution_id)

    assert (statements, commits) == (13, 2), listing
    assert ExecutionStep.objects.filter(execution_id=execution_id).count() == 3
    assert ActionReceipt.objects.filter(execution_id=execution_id).count() == 2
    order_id = int(Execution.objects.get(pk=execution_id).subject_key.split(":")[1])
    trail = AuditEntry.objects.filter(subject_type="order", subject_id=str(order_id), actor_kind="flow_execution")
    assert list(trail.order_by("id").values_list("action", flat=True)) == ["tagged", "noted"]
