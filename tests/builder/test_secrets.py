"""Secrets in flow documents: sealed at rest, masked in every answer, left out of exports."""

import importlib
import json
import logging
import types

import pytest
from cryptography.fernet import Fernet
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from builder import services
from builder.catalog import catalog_document, registered_actions
from builder.models import Flow, FlowVersion
from builder.redaction import SECRET_MASK, document_problems, export_document
from builder.schema import document_checksum
from core.crypto import is_sealed, reveal, seal
from runtime.actions.http import HttpRequest
from tests.builder.documents import gift_flow
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FLOWS = "/api/v1/flows/"
HOOK_SECRET = "whsec-PLAINTEXT-0123456789"
SIGN_SECRET = "sign-PLAINTEXT-abcdef"


@pytest.fixture(autouse=True)
def http_action():
    with registered_actions(HttpRequest.spec):
        yield


def _document(hook_secret=HOOK_SECRET, sign_secret=SIGN_SECRET) -> dict:
    document = gift_flow(trigger={"type": "webhook", "hmac_secret": hook_secret})
    document["nodes"] = [
        {
            "id": "call",
            "type": "action",
            "action": "http.request",
            "params": {"method": "POST", "url": "https://erp.example/hook", "sign_secret": sign_secret},
            "position": {"x": 10, "y": 20},
        }
    ]
    document["edges"] = [{"from": "trigger", "to": "call"}]
    return document


def _raw(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 — fixed names
        return json.dumps([row[0] for row in cursor.fetchall()])


def _create(client, document) -> dict:
    response = client.post(FLOWS, {"definition": document}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _stored(flow_id: int) -> tuple[str, str]:
    draft = Flow.objects.get(pk=flow_id).draft
    return draft["trigger"]["hmac_secret"], draft["nodes"][0]["params"]["sign_secret"]


def test_the_catalog_declares_the_secrets_write_only():
    catalog = catalog_document()
    http = next(a for a in catalog["actions"] if a["key"] == "http.request")
    webhook = next(t for t in catalog["triggers"] if t["type"] == "webhook")

    assert HttpRequest.spec.secret_params == ("sign_secret",)
    assert HttpRequest().secret_params == ("sign_secret",)
    assert http["params_schema"]["properties"]["sign_secret"]["writeOnly"] is True
    assert webhook["config_schema"]["properties"]["hmac_secret"]["writeOnly"] is True
    assert webhook["config_schema"]["properties"]["hmac_secret"]["format"] == "password"


def test_the_stored_rows_hold_sealed_secrets_only(operator_client):
    flow = _create(operator_client, _document())
    operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    raw = _raw("builder_flow", "draft") + _raw("builder_flowversion", "document")
    hook, sign = _stored(flow["id"])
    assert HOOK_SECRET not in raw and SIGN_SECRET not in raw
    assert is_sealed(hook) and is_sealed(sign)
    assert (reveal(hook), reveal(sign)) == (HOOK_SECRET, SIGN_SECRET)
    assert FlowVersion.objects.get().document == Flow.objects.get().draft


def test_no_answer_carries_a_secret(operator_client):
    flow = _create(operator_client, _document())
    flow_id = flow["id"]
    operator_client.post(f"{FLOWS}{flow_id}/publish/", {}, format="json")
    operator_client.put(f"{FLOWS}{flow_id}/", {"definition": _document("whsec-CHANGED-0123456789")}, format="json")

    answers = [
        operator_client.get(path)
        for path in (
            f"{FLOWS}{flow_id}/",
            FLOWS,
            f"{FLOWS}{flow_id}/versions/",
            f"{FLOWS}{flow_id}/versions/1/",
            f"{FLOWS}{flow_id}/diff/?from=1&to=draft",
        )
    ]

    text = json.dumps([answer.json() for answer in answers]) + json.dumps(flow)
    assert [answer.status_code for answer in answers] == [200] * 5
    assert "PLAINTEXT" not in text and "CHANGED" not in text and "enc:v1:" not in text
    assert flow["definition"]["trigger"]["hmac_secret"] == SECRET_MASK
    assert flow["definition"]["nodes"][0]["params"]["sign_secret"] == SECRET_MASK
    assert answers[4].json()["trigger"] == {"changed": True, "fields": ["hmac_secret"]}


def test_a_masked_round_trip_keeps_the_sealed_tokens_unchanged(operator_client):
    flow = _create(operator_client, _document())
    before = _stored(flow["id"])

    answer = operator_client.put(f"{FLOWS}{flow['id']}/", {"definition": flow["definition"]}, format="json")

    assert answer.json()["problems"] == []
    assert _stored(flow["id"]) == before


def test_a_new_secret_is_sealed_and_the_other_one_kept(operator_client):
    flow = _create(operator_client, _document())
    hook, sign = _stored(flow["id"])
    definition = flow["definition"]
    definition["nodes"][0]["params"]["sign_secret"] = "sign-NEW-value-123"

    operator_client.put(f"{FLOWS}{flow['id']}/", {"definition": definition}, format="json")

    new_hook, new_sign = _stored(flow["id"])
    assert new_hook == hook
    assert new_sign != sign and reveal(new_sign) == "sign-NEW-value-123"


def test_a_mask_with_nothing_stored_is_dropped(operator_client):
    flow = _create(operator_client, _document(hook_secret=SECRET_MASK, sign_secret=SECRET_MASK))

    draft = Flow.objects.get(pk=flow["id"]).draft
    assert "hmac_secret" not in draft["trigger"]
    assert "sign_secret" not in draft["nodes"][0]["params"]


def test_a_mask_is_matched_by_node_id(operator_client):
    flow = _create(operator_client, _document())
    definition = flow["definition"]
    definition["nodes"][0]["id"] = "renamed"
    definition["edges"] = [{"from": "trigger", "to": "renamed"}]

    operator_client.put(f"{FLOWS}{flow['id']}/", {"definition": definition}, format="json")

    assert "sign_secret" not in Flow.objects.get().draft["nodes"][0]["params"]


def test_validation_problems_do_not_quote_a_secret(operator_client):
    flow = _create(operator_client, _document(sign_secret="tiny5"))
    validated = operator_client.post(f"{FLOWS}validate/", {"definition": _document(sign_secret="tiny5")}, format="json")
    published = operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    [problem] = flow["problems"]
    assert problem["pointer"] == "/nodes/0/params/sign_secret"
    assert (problem["code"], problem["detail"]) == ("invalid_param", "'xxxxx' is too short")
    assert problem["message"] == "“Signing secret” is too short: at least 8 characters."
    assert "tiny5" not in json.dumps([flow, validated.json(), published.json()])
    assert validated.status_code == 400 and published.status_code == 400


def test_a_secret_sealed_under_another_key_is_a_clear_problem_not_a_crash(operator_client, settings):
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    flow = _create(operator_client, _document())
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()

    detail = operator_client.get(f"{FLOWS}{flow['id']}/")
    published = operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    codes = [(p["code"], p["pointer"]) for p in detail.json()["problems"]]
    assert codes == [
        ("secret_unreadable", "/trigger/hmac_secret"),
        ("secret_unreadable", "/nodes/0/params/sign_secret"),
    ]
    assert published.status_code == 400
    assert published.json()["code"] == "invalid_flow"


def test_a_secret_too_long_to_fit_sealed_is_refused_at_publish():
    owner = make_user("owner", "operator")
    flow = services.flow_create(owner=owner, definition=_document(sign_secret="s" * 200))

    problems = document_problems(Flow.objects.get(pk=flow.pk).draft)

    assert [(p.code, p.pointer) for p in problems] == [("secret_too_long", "/nodes/0/params/sign_secret")]
    assert "at most 127 bytes" in problems[0].message


def test_an_export_carries_no_secret_and_an_import_drops_one():
    owner = make_user("owner", "operator")
    flow = services.flow_create(owner=owner, definition=_document())

    exported = export_document(Flow.objects.get(pk=flow.pk).draft)
    imported = services.flow_import(owner=owner, document=_document())

    assert exported["trigger"] == {"type": "webhook"}
    assert exported["nodes"][0]["params"] == {"method": "POST", "url": "https://erp.example/hook"}
    assert Flow.objects.get(pk=imported.pk).draft == export_document(_document())


def test_marketplace_templates_carry_no_secret():
    from pathlib import Path

    for path in sorted(Path("templates").glob("*.json")):
        document = json.loads(path.read_text())
        assert export_document(document) == document, path.name


def test_nothing_logs_a_secret(operator_client, caplog):
    caplog.set_level(logging.DEBUG)
    flow = _create(operator_client, _document())
    operator_client.put(f"{FLOWS}{flow['id']}/", {"definition": _document(sign_secret="x")}, format="json")
    operator_client.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json")

    assert "PLAINTEXT" not in caplog.text


# --- the migration that seals what was stored before ---------------------------------------------

_migration = importlib.import_module("builder.migrations.0003_seal_secrets")


def _historical_apps():
    """The models as the migration sees them (no custom managers), as ``migrate`` would pass them."""
    return MigrationExecutor(connection).loader.project_state(("builder", "0003_seal_secrets")).apps


def _editor():
    def execute(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return types.SimpleNamespace(connection=connection, execute=execute)


def _legacy_flow() -> Flow:
    """A flow, and its version, stored in plaintext as before secrets were sealed."""
    owner = make_user("legacy", "operator")
    document = _document()
    flow = Flow.objects.create(owner=owner, name="legacy", draft=document)
    version = FlowVersion.objects.create(
        flow=flow, number=1, document=document, checksum=document_checksum(document), trigger_type="webhook"
    )
    Flow.objects.filter(pk=flow.pk).update(current_version=version)
    return flow


def test_the_migration_seals_drafts_and_versions_and_keeps_versions_immutable():
    flow = _legacy_flow()

    _migration.seal_plaintext(_historical_apps(), _editor())
    _migration.seal_plaintext(_historical_apps(), _editor())

    draft, version = Flow.objects.get(pk=flow.pk).draft, FlowVersion.objects.get()
    raw = _raw("builder_flow", "draft") + _raw("builder_flowversion", "document")
    assert HOOK_SECRET not in raw and SIGN_SECRET not in raw
    assert version.document == draft
    assert version.checksum == document_checksum(draft)
    assert reveal(draft["trigger"]["hmac_secret"]) == HOOK_SECRET
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE builder_flowversion SET notes = 'changed'")


def test_the_migration_reverses_to_plaintext():
    flow = _legacy_flow()
    _migration.seal_plaintext(_historical_apps(), _editor())

    _migration.reveal_sealed(_historical_apps(), _editor())

    assert Flow.objects.get(pk=flow.pk).draft == _document()
    assert FlowVersion.objects.get().document == _document()


def test_publishing_a_legacy_plaintext_draft_seals_it_first():
    owner = make_user("legacy", "operator")
    flow = Flow.objects.create(owner=owner, name="legacy", draft=_document())

    version = services.flow_publish(flow_id=flow.pk, user=owner)

    assert SIGN_SECRET not in json.dumps(version.document)
    assert Flow.objects.get(pk=flow.pk).draft == version.document
    assert reveal(version.document["nodes"][0]["params"]["sign_secret"]) == SIGN_SECRET


def test_a_sealed_value_is_never_sealed_twice():
    owner = make_user("owner", "operator")
    token = seal(SIGN_SECRET)

    flow = services.flow_create(owner=owner, definition=_document(sign_secret=token))

    assert Flow.objects.get(pk=flow.pk).draft["nodes"][0]["params"]["sign_secret"] == token
