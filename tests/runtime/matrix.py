"""Objects the role matrix (``tests/orderflow/test_roles_matrix.py``) needs for the runtime's routes."""

import copy

from builder import services as flow_services
from runtime import statuses
from runtime.models import Execution
from tests.factories import make_user
from tests.runtime.conftest import load_template

MANUAL_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Tell the supervisors",
    "trigger": {"type": "manual"},
    "nodes": [
        {"id": "tell", "type": "action", "action": "notify.inbox", "params": {"to_role": "supervisor", "title": "Hi"}}
    ],
    "edges": [{"from": "trigger", "to": "tell"}],
}


def runtime_objects() -> dict:
    """``flow``: its current version is an enabled manual flow (it can be run) and its draft an
    event flow (it can be test-run and back-tested); ``execution``: a dead run of it (replayable)."""
    owner = make_user("flow-owner", "operator")
    flow = flow_services.flow_create(owner=owner, definition=copy.deepcopy(MANUAL_FLOW))
    version = flow_services.flow_publish(flow_id=flow.pk, user=owner)
    flow_services.flow_set_enabled(flow_id=flow.pk, enabled=True)
    flow_services.flow_update_draft(flow_id=flow.pk, definition=load_template("big-order-gift"))
    execution = Execution.objects.create(
        flow=flow,
        flow_version=version,
        trigger_type="manual",
        status=statuses.DEAD,
        current_node="tell",
        context={"event": {"id": "manual:1", "type": "manual", "occurred_at": "2026-01-01T00:00:00Z"}, "input": {}},
    )
    return {"flow": flow.pk, "execution": execution.pk}
