"""Every change to a flow writes an audit entry: who, what, the request's trace id, and no secret."""

import json

import pytest

from builder import services
from builder.catalog import registered_actions
from commerce.audit.models import AuditEntry
from runtime.actions.http import HttpRequest
from tests.builder.documents import gift_flow
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FLOWS = "/api/v1/flows/"
TRACE = "trace-flow-audit-0001"


@pytest.fixture
def client(api_client):
    api_client.force_authenticate(make_user("editor", "operator"))
    api_client.credentials(HTTP_X_REQUEST_ID=TRACE)
    return api_client


def _entries(flow_id) -> list[tuple[str, dict]]:
    rows = AuditEntry.objects.filter(subject_type="flow", subject_id=str(flow_id)).order_by("id")
    return [(entry.action, entry.changes) for entry in rows]


def _last(flow_id) -> AuditEntry:
    return AuditEntry.objects.filter(subject_type="flow", subject_id=str(flow_id)).latest("id")


def _create(client, document=None) -> int:
    response = client.post(FLOWS, {"definition": document or gift_flow()}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_create_is_audited_with_the_user_and_the_trace_id(client):
    flow_id = _create(client)

    entry = _last(flow_id)
    assert (entry.action, entry.actor_kind, entry.actor_label, entry.source) == ("created", "user", "editor", "api")
    assert entry.trace_id == TRACE
    assert entry.changes == {"name": "Big orders get a gift", "trigger": "event", "nodes": ["big", "gift"]}


def test_a_saved_draft_records_which_nodes_changed(client):
    flow_id = _create(client)
    document = gift_flow()
    document["nodes"][1]["params"]["quantity"] = 2
    document["nodes"].append({"id": "note", "type": "action", "action": "order.note", "params": {"text": "hi"}})
    document["edges"].append({"from": "gift", "to": "note"})

    client.put(f"{FLOWS}{flow_id}/", {"definition": document}, format="json")

    action, changes = _entries(flow_id)[-1]
    assert action == "draft_saved"
    assert changes["nodes"] == {
        "added": ["note"],
        "removed": [],
        "changed": [{"id": "gift", "fields": ["params.quantity"]}],
    }
    assert changes["edges"] == {"added": [{"from": "gift", "to": "note"}], "removed": []}


def test_publish_rollback_enable_disable_are_audited(client):
    flow_id = _create(client)
    client.post(f"{FLOWS}{flow_id}/publish/", {"notes": "first", "enable": False}, format="json")
    document = gift_flow(name="Renamed")
    client.put(f"{FLOWS}{flow_id}/", {"definition": document}, format="json")
    v2 = client.post(f"{FLOWS}{flow_id}/publish/", {}, format="json").json()
    v3 = client.post(f"{FLOWS}{flow_id}/rollback/", {"version": 1}, format="json").json()
    client.post(f"{FLOWS}{flow_id}/enable/")
    client.post(f"{FLOWS}{flow_id}/enable/")
    client.post(f"{FLOWS}{flow_id}/disable/")

    entries = _entries(flow_id)
    assert [action for action, _ in entries] == [
        "created",
        "published",
        "draft_saved",
        "published",
        "rolled_back",
        "enabled",
        "disabled",
    ]
    assert entries[1][1]["version"] == 1 and entries[1][1]["notes"] == "first"
    assert entries[3][1] == {"version": 2, "checksum": v2["checksum"], "notes": ""}
    assert entries[4][1] == {
        "version": 3,
        "rolled_back_to": 1,
        "checksum": v3["checksum"],
        "notes": "Rollback to version 1",
    }
    assert entries[5][1] == entries[6][1] == {"version": 3}
    assert {entry.actor_label for entry in AuditEntry.objects.filter(subject_type="flow")} == {"editor"}


def test_delete_is_audited(client):
    flow_id = _create(client)

    assert client.delete(f"{FLOWS}{flow_id}/").status_code == 204

    assert _entries(flow_id)[-1] == (
        "deleted",
        {"name": "Big orders get a gift", "trigger": "event", "nodes": ["big", "gift"]},
    )


def test_a_refused_change_writes_no_entry(client):
    flow_id = _create(client)
    client.post(f"{FLOWS}{flow_id}/publish/", {}, format="json")

    unchanged = client.post(f"{FLOWS}{flow_id}/publish/", {}, format="json")
    client.delete(f"{FLOWS}{flow_id}/")
    refused_enable = client.post(f"{FLOWS}{flow_id}/enable/")

    assert (unchanged.status_code, refused_enable.status_code) == (409, 409)
    assert [action for action, _ in _entries(flow_id)] == ["created", "published", "enabled", "archived"]


def test_import_is_audited_as_imported():
    owner = make_user("importer", "operator")
    flow = services.flow_import(owner=owner, document=gift_flow())

    entry = _last(flow.pk)
    assert (entry.action, entry.actor_label) == ("imported", "importer")


def test_no_entry_carries_a_secret(client):
    with registered_actions(HttpRequest.spec):
        document = gift_flow(trigger={"type": "webhook", "hmac_secret": "whsec-AUDIT-PLAINTEXT-01"})
        document["nodes"] = [
            {
                "id": "call",
                "type": "action",
                "action": "http.request",
                "params": {"method": "GET", "url": "https://erp.example/", "sign_secret": "sign-AUDIT-PLAINTEXT"},
            }
        ]
        document["edges"] = [{"from": "trigger", "to": "call"}]
        flow_id = _create(client, document)
        document["nodes"][0]["params"]["sign_secret"] = "sign-AUDIT-PLAINTEXT-2"
        client.put(f"{FLOWS}{flow_id}/", {"definition": document}, format="json")
        client.post(f"{FLOWS}{flow_id}/publish/", {}, format="json")

    entries = _entries(flow_id)
    text = json.dumps(entries)
    assert [action for action, _ in entries] == ["created", "draft_saved", "published", "enabled"]
    assert entries[1][1]["nodes"]["changed"] == [{"id": "call", "fields": ["params.sign_secret"]}]
    assert "PLAINTEXT" not in text and "enc:v1:" not in text
