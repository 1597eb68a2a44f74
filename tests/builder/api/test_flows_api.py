import json

import pytest

from builder.models import Flow, FlowVersion
from builder.schema import document_checksum
from commerce.audit.models import AuditEntry
from core.crypto import reveal
from tests.builder.documents import gift_flow
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FLOWS = "/api/v1/flows/"


def _create(client, definition=None, **body):
    if definition is not None:
        body["definition"] = definition
    response = client.post(FLOWS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _publish(client, flow_id, notes="", **body):
    return client.post(f"{FLOWS}{flow_id}/publish/", {"notes": notes, **body}, format="json")


def _put(client, flow_id, definition):
    return client.put(f"{FLOWS}{flow_id}/", {"definition": definition}, format="json")


# --- create, read, update, delete ---------------------------------------------------------


def test_create_stores_the_draft_and_answers_with_its_problems(operator_client):
    body = _create(operator_client, gift_flow())

    assert body["name"] == "Big orders get a gift"
    assert body["description"] == "Orders of 599 or more receive a free tote bag."
    assert body["definition"] == gift_flow()
    assert body["enabled"] is False
    assert body["owner"]["username"] == "op"
    assert body["current_version"] is None
    assert body["has_unpublished_changes"] is True
    assert body["valid"] is True
    assert body["problems"] == []
    assert len(body["webhook_token"]) == 32


def test_an_invalid_draft_is_saved_with_its_problems(operator_client):
    document = gift_flow()
    document["nodes"][1]["action"] = "order.teleport"

    body = _create(operator_client, document)

    assert Flow.objects.get(pk=body["id"]).draft == document
    assert body["valid"] is False
    assert body["problems"] == [
        {
            "code": "unknown_action",
            "message": "The step “gift” uses an action Orderflow does not offer (“order.teleport”). "
            "Replace it with a step from the palette.",
            "node": "gift",
            "node_id": "gift",
            "field": "action",
            "pointer": "/nodes/1/action",
            "detail": "'order.teleport' is not an action in the catalog",
        }
    ]


def test_create_without_a_definition_starts_a_blank_manual_flow(operator_client):
    body = _create(operator_client, name="Sweep unpaid orders")

    assert body["definition"] == {
        "format": "orderflow.flow/v1",
        "name": "Sweep unpaid orders",
        "description": "",
        "trigger": {"type": "manual"},
        "nodes": [],
        "edges": [],
    }
    assert body["problems"] == [
        {
            "code": "empty_flow",
            "message": "The flow has no steps yet. Add a step after the trigger.",
            "node": None,
            "node_id": None,
            "field": None,
            "pointer": "/nodes",
            "detail": "the flow has no nodes",
        }
    ]


def test_a_given_name_is_written_into_the_document(operator_client):
    body = _create(operator_client, gift_flow(), name="大单送礼", description="满 599 送帆布袋")

    assert body["name"] == "大单送礼"
    assert body["definition"]["name"] == "大单送礼"
    assert body["definition"]["description"] == "满 599 送帆布袋"


def test_a_definition_that_is_not_an_object_is_refused(operator_client):
    response = operator_client.post(FLOWS, {"definition": ["nodes"]}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "The request is not valid.",
        "details": {"definition": ["The flow definition must be a JSON object."]},
    }
    assert Flow.objects.count() == 0


def test_list_filters_by_search_and_enabled(operator_client):
    gift = _create(operator_client, gift_flow())
    _create(operator_client, gift_flow(name="Remind unpaid orders"))
    _publish(operator_client, gift["id"])
    operator_client.post(f"{FLOWS}{gift['id']}/enable/")

    searched = operator_client.get(FLOWS, {"q": "unpaid"}).json()["results"]
    enabled = operator_client.get(FLOWS, {"enabled": "true"}).json()["results"]
    everything = operator_client.get(FLOWS).json()["results"]

    assert [f["name"] for f in searched] == ["Remind unpaid orders"]
    assert [f["name"] for f in enabled] == ["Big orders get a gift"]
    assert [f["name"] for f in everything] == ["Remind unpaid orders", "Big orders get a gift"]
    assert everything[1]["current_version"]["number"] == 1
    assert "problems" not in everything[0]


def test_put_replaces_the_draft_and_patch_renames(operator_client):
    flow = _create(operator_client, gift_flow())
    changed = gift_flow()
    changed["nodes"][1]["params"]["quantity"] = 2

    put = _put(operator_client, flow["id"], changed)
    patch = operator_client.patch(f"{FLOWS}{flow['id']}/", {"name": "Gift v2"}, format="json")

    assert put.status_code == 200
    assert put.json()["definition"]["nodes"][1]["params"] == {"sku": "GIFT-TOTE", "quantity": 2}
    assert patch.status_code == 200
    assert patch.json()["name"] == "Gift v2"
    assert patch.json()["definition"]["nodes"][1]["params"] == {"sku": "GIFT-TOTE", "quantity": 2}


def test_detail_answers_404_for_an_unknown_flow(operator_client):
    response = operator_client.get(f"{FLOWS}999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_never_published_flow_is_deleted_a_published_one_is_archived(operator_client):
    draft = _create(operator_client, gift_flow())
    published = _create(operator_client, gift_flow())
    _publish(operator_client, published["id"])

    removed = operator_client.delete(f"{FLOWS}{draft['id']}/")
    archived = operator_client.delete(f"{FLOWS}{published['id']}/")
    again = operator_client.delete(f"{FLOWS}{published['id']}/")

    assert removed.status_code == 204
    assert archived.status_code == 200
    assert (archived.json()["state"], archived.json()["enabled"], archived.json()["live_version"]) == (
        "archived",
        False,
        1,
    )
    assert again.status_code == 200
    assert list(Flow.objects.values_list("pk", flat=True)) == [published["id"]]
    assert operator_client.get(FLOWS).json()["results"] == []
    assert [f["id"] for f in operator_client.get(FLOWS, {"archived": "true"}).json()["results"]] == [published["id"]]
    assert operator_client.get(f"{FLOWS}{published['id']}/").status_code == 200
    assert AuditEntry.objects.filter(subject_type="flow", action="archived").count() == 1


def test_an_archived_flow_is_not_published_or_switched_on_again(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"])
    operator_client.delete(f"{FLOWS}{flow['id']}/")
    _put(operator_client, flow["id"], gift_flow(description="changed"))

    published = _publish(operator_client, flow["id"])
    enabled = operator_client.post(f"{FLOWS}{flow['id']}/enable/")

    assert (published.status_code, published.json()["code"]) == (409, "flow_archived")
    assert (enabled.status_code, enabled.json()["code"]) == (409, "flow_archived")
    assert FlowVersion.objects.filter(flow_id=flow["id"]).count() == 1


# --- state, first publish is live ----------------------------------------------------------


def test_the_first_publish_switches_the_flow_on_and_the_state_says_so(operator_client):
    flow = _create(operator_client, gift_flow())
    assert (flow["state"], flow["live_version"]) == ("draft", None)

    published = _publish(operator_client, flow["id"])

    assert published.status_code == 201
    assert (published.json()["number"], published.json()["enabled"], published.json()["state"]) == (1, True, "running")
    detail = operator_client.get(f"{FLOWS}{flow['id']}/").json()
    assert (detail["state"], detail["live_version"], detail["enabled"]) == ("running", 1, True)
    actions = list(
        AuditEntry.objects.filter(subject_type="flow", subject_id=str(flow["id"])).values_list("action", flat=True)
    )
    assert actions[-2:] == ["published", "enabled"] or actions[:2] == ["enabled", "published"]


def test_a_first_publish_may_stay_off_and_later_publishes_keep_the_switch(operator_client):
    flow = _create(operator_client, gift_flow())

    first = _publish(operator_client, flow["id"], enable=False)
    _put(operator_client, flow["id"], gift_flow(description="v2"))
    second = _publish(operator_client, flow["id"])
    _put(operator_client, flow["id"], gift_flow(description="v3"))
    third = _publish(operator_client, flow["id"], enable=True)

    assert (first.json()["state"], second.json()["state"], third.json()["state"]) == ("disabled", "disabled", "running")
    listed = operator_client.get(FLOWS).json()["results"][0]
    assert (listed["state"], listed["live_version"]) == ("running", 3)


def test_publish_refuses_a_non_boolean_enable(operator_client):
    flow = _create(operator_client, gift_flow())

    response = _publish(operator_client, flow["id"], enable="maybe")

    assert response.status_code == 400
    assert "enable" in response.json()["details"]
    assert FlowVersion.objects.count() == 0


# --- duplicate and search -----------------------------------------------------------------


def test_a_flow_is_duplicated_as_a_new_draft_owned_by_the_caller(operator_client):
    flow = _create(operator_client, gift_flow(), name="大单送礼")
    _publish(operator_client, flow["id"])

    copied = operator_client.post(f"{FLOWS}{flow['id']}/duplicate/", {}, format="json")
    named = operator_client.post(f"{FLOWS}{flow['id']}/duplicate/", {"name": "大单送礼 2"}, format="json")

    assert copied.status_code == 201
    body = copied.json()
    assert (body["name"], body["state"], body["enabled"], body["owner"]["username"]) == (
        "大单送礼 (copy)",
        "draft",
        False,
        "op",
    )
    assert body["definition"]["nodes"] == flow["definition"]["nodes"]
    assert named.json()["name"] == "大单送礼 2"
    assert AuditEntry.objects.filter(subject_type="flow", action="duplicated").count() == 2


def test_duplicating_an_unknown_flow_is_404_and_makes_nothing(operator_client):
    response = operator_client.post(f"{FLOWS}999/duplicate/", {}, format="json")

    assert response.status_code == 404
    assert Flow.objects.count() == 0


def test_flows_are_searched_by_name(operator_client):
    _create(operator_client, gift_flow(), name="大单送礼")
    _create(operator_client, gift_flow(), name="催付提醒")

    found = operator_client.get(FLOWS, {"q": "送礼"}).json()["results"]
    too_long = operator_client.get(FLOWS, {"q": "x" * 101})

    assert [f["name"] for f in found] == ["大单送礼"]
    assert too_long.status_code == 400


# --- publish and versions -----------------------------------------------------------------


def test_publish_numbers_versions_and_records_the_checksum(operator_client):
    flow = _create(operator_client, gift_flow())
    numbers = []
    for quantity in (1, 2, 3):
        document = gift_flow()
        document["nodes"][1]["params"]["quantity"] = quantity
        _put(operator_client, flow["id"], document)
        response = _publish(operator_client, flow["id"], notes=f"quantity {quantity}")
        assert response.status_code == 201
        numbers.append(response.json()["number"])

    latest = FlowVersion.objects.get(flow_id=flow["id"], number=3)
    detail = operator_client.get(f"{FLOWS}{flow['id']}/").json()

    assert numbers == [1, 2, 3]
    assert latest.checksum == document_checksum(document)
    assert latest.published_by.username == "op"
    assert latest.trigger_type == "event"
    assert latest.trigger_event == "order.paid"
    assert detail["current_version"]["number"] == 3
    assert detail["current_version"]["checksum"] == latest.checksum
    assert detail["has_unpublished_changes"] is False


def test_publishing_an_unchanged_draft_twice_answers_409_and_creates_nothing(operator_client):
    flow = _create(operator_client, gift_flow())
    first = _publish(operator_client, flow["id"])

    again = _publish(operator_client, flow["id"])

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json() == {
        "code": "unchanged",
        "message": "The document is identical to the current version; nothing was published.",
        "details": {"version": 1, "checksum": first.json()["checksum"]},
    }
    assert FlowVersion.objects.count() == 1


def test_versions_list_and_detail(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"], notes="first")
    changed = gift_flow()
    changed["nodes"][1]["params"]["quantity"] = 2
    _put(operator_client, flow["id"], changed)
    _publish(operator_client, flow["id"], notes="two totes")

    listed = operator_client.get(f"{FLOWS}{flow['id']}/versions/").json()["results"]
    one = operator_client.get(f"{FLOWS}{flow['id']}/versions/1/").json()
    missing = operator_client.get(f"{FLOWS}{flow['id']}/versions/9/")

    assert [(v["number"], v["notes"]) for v in listed] == [(2, "two totes"), (1, "first")]
    assert one["definition"] == gift_flow()
    assert one["checksum"] == document_checksum(gift_flow())
    assert missing.status_code == 404
    assert missing.json()["code"] == "version_not_found"


def test_editing_the_draft_never_changes_a_published_version(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"])
    changed = gift_flow()
    changed["nodes"][1]["params"]["sku"] = "GIFT-MUG"

    _put(operator_client, flow["id"], changed)

    assert FlowVersion.objects.get().document == gift_flow()
    assert operator_client.get(f"{FLOWS}{flow['id']}/").json()["has_unpublished_changes"] is True


# --- invalid documents: 400 with node ids and pointers, nothing published ------------------


EACH_ORDER = {"for_each": {"collection": "orders", "filter": {"status": "paid"}}}


def _broken(kind: str) -> dict:
    document = gift_flow()
    nodes, edges = document["nodes"], document["edges"]
    if kind == "cycle":
        edges.append({"from": "gift", "to": "big"})
    elif kind == "dangling_edge":
        edges.append({"from": "gift", "to": "ghost"})
    elif kind == "unknown_action":
        nodes[1]["action"] = "order.teleport"
    elif kind == "bad_param":
        nodes[1]["params"]["quantity"] = "one"
    elif kind == "bad_jsonlogic":
        nodes[0]["rule"] = {"approx": [{"var": "order.total_amount"}, 599]}
    elif kind == "bad_cron":
        document["trigger"] = {"type": "schedule", "cron": "every day", "timezone": "Asia/Shanghai", **EACH_ORDER}
    elif kind == "bad_timezone":
        document["trigger"] = {"type": "schedule", "cron": "0 9 * * *", "timezone": "Mars/Olympus", **EACH_ORDER}
    elif kind == "unreachable":
        nodes.append({"id": "lonely", "type": "action", "action": "order.note", "params": {"text": "hi"}})
    elif kind == "missing_branch":
        del edges[1]["branch"]
    elif kind == "bad_template":
        nodes[1] = {"id": "gift", "type": "action", "action": "order.note", "params": {"text": "{{ order.buyer }}"}}
    return document


BROKEN = [
    ("cycle", "cycle", "big", "/edges/1"),
    ("dangling_edge", "dangling_edge", "gift", "/edges/2/to"),
    ("unknown_action", "unknown_action", "gift", "/nodes/1/action"),
    ("bad_param", "invalid_param", "gift", "/nodes/1/params/quantity"),
    ("bad_jsonlogic", "unknown_operator", "big", "/nodes/0/rule/approx"),
    ("bad_cron", "invalid_cron", "trigger", "/trigger/cron"),
    ("bad_timezone", "invalid_timezone", "trigger", "/trigger/timezone"),
    ("unreachable", "unreachable_node", "lonely", "/nodes/2"),
    ("missing_branch", "missing_branch", "big", "/edges/1/branch"),
    ("bad_template", "unknown_reference", "gift", "/nodes/1/params/text"),
]


@pytest.mark.parametrize(("kind", "code", "node_id", "pointer"), BROKEN)
def test_publish_refuses_an_invalid_document_and_publishes_nothing(operator_client, kind, code, node_id, pointer):
    flow = _create(operator_client, _broken(kind))

    response = _publish(operator_client, flow["id"])

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_flow"
    assert body["message"] == "The flow document has problems; nothing was published."
    assert [(p["code"], p["node_id"], p["pointer"]) for p in body["details"]["problems"]] == [(code, node_id, pointer)]
    assert FlowVersion.objects.count() == 0
    assert Flow.objects.get().current_version is None


@pytest.mark.parametrize(("kind", "code", "node_id", "pointer"), BROKEN)
def test_validate_answers_400_with_the_same_problems(operator_client, kind, code, node_id, pointer):
    response = operator_client.post(f"{FLOWS}validate/", {"definition": _broken(kind)}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_flow"
    assert response.json()["message"] == "The flow document has problems."
    problems = response.json()["details"]["problems"]
    assert [(p["code"], p["node_id"], p["pointer"]) for p in problems] == [(code, node_id, pointer)]


def test_validate_answers_200_for_a_valid_document():
    response = client_for("manager").post(f"{FLOWS}validate/", {"definition": gift_flow()}, format="json")

    assert response.status_code == 200
    assert response.json() == {"valid": True, "problems": []}


def test_a_document_over_512_kb_is_refused_on_save_validate_and_publish(operator_client):
    flow = _create(operator_client, gift_flow())
    big = gift_flow(description="长" * 200_000)  # 600 000 bytes of UTF-8: under the 2 MB body limit

    saved = _put(operator_client, flow["id"], big)
    validated = operator_client.post(f"{FLOWS}validate/", {"definition": big}, format="json")
    published = _publish(operator_client, flow["id"])

    expected_problem = {
        "code": "document_too_large",
        "message": "The flow is too large (587 KB; at most 512 KB). Remove some steps or split it into two flows.",
        "node": None,
        "node_id": None,
        "field": None,
        "pointer": "",
        "detail": f"the document is {len(json.dumps(big, ensure_ascii=False, separators=(',', ':')).encode())} "
        "bytes; the limit is 524288 bytes",
    }
    assert saved.status_code == 400
    assert saved.json()["message"] == "The flow document is too large; nothing was saved."
    assert saved.json()["details"] == {"problems": [expected_problem]}
    assert validated.status_code == 400
    assert validated.json()["details"] == {"problems": [expected_problem]}
    assert Flow.objects.get().draft == gift_flow()
    assert published.status_code == 201


def test_a_5_mb_document_is_refused_by_the_body_limit_before_any_view(operator_client):
    flow = _create(operator_client, gift_flow())
    huge = gift_flow(description="x" * (5 * 1024 * 1024))

    validated = operator_client.post(f"{FLOWS}validate/", {"definition": huge}, format="json")
    saved = _put(operator_client, flow["id"], huge)

    assert validated.status_code == 413
    assert validated.json()["code"] == "payload_too_large"
    assert saved.status_code == 413
    assert Flow.objects.get().draft == gift_flow()
    assert FlowVersion.objects.count() == 0


def test_malformed_json_answers_400(operator_client):
    flow = _create(operator_client, gift_flow())

    response = operator_client.generic(
        "PUT", f"{FLOWS}{flow['id']}/", '{"definition": {"nodes": [', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert Flow.objects.get().draft == gift_flow()


# --- diff, rollback, enable ----------------------------------------------------------------


def test_diff_names_added_removed_and_changed_nodes_edges_and_trigger(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"])
    changed = gift_flow(trigger={"type": "event", "event": "order.created"})
    changed["nodes"][0]["rule"] = {">=": [{"var": "order.total_amount"}, 999]}
    changed["nodes"][1]["params"]["quantity"] = 2
    changed["nodes"][1]["position"] = {"x": 500, "y": 40}
    changed["nodes"].append({"id": "note", "type": "action", "action": "order.note", "params": {"text": "big"}})
    changed["edges"].append({"from": "big", "to": "note", "branch": "false"})
    _put(operator_client, flow["id"], changed)
    _publish(operator_client, flow["id"])

    response = operator_client.get(f"{FLOWS}{flow['id']}/diff/", {"from": 1, "to": 2})
    to_draft = operator_client.get(f"{FLOWS}{flow['id']}/diff/", {"from": 2, "to": "draft"})

    assert response.status_code == 200
    assert response.json() == {
        "from": 1,
        "to": 2,
        "name_changed": False,
        "description_changed": False,
        "trigger": {"changed": True, "fields": ["event"]},
        "nodes": {
            "added": ["note"],
            "removed": [],
            "changed": [
                {"id": "big", "fields": ["rule"]},
                {"id": "gift", "fields": ["params.quantity", "position.x"]},
            ],
        },
        "edges": {"added": [{"from": "big", "to": "note", "branch": "false"}], "removed": []},
    }
    assert to_draft.json()["nodes"] == {"added": [], "removed": [], "changed": []}


def test_diff_needs_two_version_references(operator_client):
    flow = _create(operator_client, gift_flow())

    bad = operator_client.get(f"{FLOWS}{flow['id']}/diff/", {"from": "first", "to": 2})
    missing = operator_client.get(f"{FLOWS}{flow['id']}/diff/", {"from": 1, "to": "draft"})

    assert bad.status_code == 400
    assert bad.json()["details"] == {"non_field_errors": ["A version number (1, 2, …) or 'draft'."]}
    assert missing.status_code == 404
    assert missing.json()["code"] == "version_not_found"


def test_rollback_publishes_the_old_document_as_a_new_version_and_draft(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"])
    changed = gift_flow()
    changed["nodes"][1]["params"]["sku"] = "GIFT-MUG"
    _put(operator_client, flow["id"], changed)
    _publish(operator_client, flow["id"])

    response = operator_client.post(f"{FLOWS}{flow['id']}/rollback/", {"version": 1}, format="json")
    detail = operator_client.get(f"{FLOWS}{flow['id']}/").json()

    assert response.status_code == 201
    assert response.json()["number"] == 3
    assert response.json()["notes"] == "Rollback to version 1"
    assert response.json()["checksum"] == document_checksum(gift_flow())
    assert detail["definition"] == gift_flow()
    assert detail["current_version"]["number"] == 3
    assert list(FlowVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]


def test_rollback_to_the_current_document_is_unchanged(operator_client):
    flow = _create(operator_client, gift_flow())
    _publish(operator_client, flow["id"])

    response = operator_client.post(f"{FLOWS}{flow['id']}/rollback/", {"version": 1}, format="json")
    missing = operator_client.post(f"{FLOWS}{flow['id']}/rollback/", {"version": 7}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "unchanged"
    assert missing.status_code == 404
    assert FlowVersion.objects.count() == 1


def test_enable_needs_a_published_version_and_disable_always_works(operator_client):
    flow = _create(operator_client, gift_flow())

    refused = operator_client.post(f"{FLOWS}{flow['id']}/enable/")
    _publish(operator_client, flow["id"])
    enabled = operator_client.post(f"{FLOWS}{flow['id']}/enable/")
    disabled = operator_client.post(f"{FLOWS}{flow['id']}/disable/")

    assert refused.status_code == 409
    assert refused.json()["code"] == "not_published"
    assert enabled.status_code == 200
    assert enabled.json()["enabled"] is True
    assert disabled.status_code == 200
    assert disabled.json()["enabled"] is False
    assert Flow.objects.get().enabled is False


# --- webhook secret --------------------------------------------------------------------------


def test_a_webhook_secret_is_masked_in_answers_and_kept_on_round_trip(operator_client):
    secret = "s3cr3t-0123456789abcdef"
    document = gift_flow(trigger={"type": "webhook", "hmac_secret": secret})
    document["nodes"][0]["rule"] = {"==": [{"var": "webhook.body.kind"}, "vip"]}
    flow = _create(operator_client, document)

    round_trip = _put(operator_client, flow["id"], flow["definition"])
    validated = operator_client.post(f"{FLOWS}validate/", {"definition": flow["definition"]}, format="json")
    _publish(operator_client, flow["id"])
    version = operator_client.get(f"{FLOWS}{flow['id']}/versions/1/").json()

    assert flow["definition"]["trigger"] == {"type": "webhook", "hmac_secret": "********"}
    assert round_trip.json()["definition"]["trigger"] == {"type": "webhook", "hmac_secret": "********"}
    assert round_trip.json()["problems"] == []
    assert validated.json() == {"valid": True, "problems": []}
    assert version["definition"]["trigger"] == {"type": "webhook", "hmac_secret": "********"}
    assert reveal(Flow.objects.get().draft["trigger"]["hmac_secret"]) == secret
    assert FlowVersion.objects.get().document["trigger"] == Flow.objects.get().draft["trigger"]


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "supervisor", "admin"])
def test_flow_editors_may_write(role):
    response = client_for(role).post(FLOWS, {"definition": gift_flow()}, format="json")

    assert response.status_code == 201


def test_a_manager_reads_but_cannot_write(operator_client):
    flow = _create(operator_client, gift_flow())
    manager = client_for("manager")

    read = manager.get(f"{FLOWS}{flow['id']}/")
    writes = [
        manager.post(FLOWS, {"definition": gift_flow()}, format="json"),
        manager.put(f"{FLOWS}{flow['id']}/", {"definition": gift_flow()}, format="json"),
        manager.post(f"{FLOWS}{flow['id']}/publish/", {}, format="json"),
        manager.post(f"{FLOWS}{flow['id']}/rollback/", {"version": 1}, format="json"),
        manager.post(f"{FLOWS}{flow['id']}/enable/"),
        manager.delete(f"{FLOWS}{flow['id']}/"),
    ]

    assert read.status_code == 200
    assert "webhook_token" not in read.json()
    assert [w.status_code for w in writes] == [403] * 6
    assert writes[0].json()["code"] == "permission_denied"
    assert FlowVersion.objects.count() == 0


def test_unauthenticated_calls_answer_401():
    anonymous = client_for(None)

    responses = [
        anonymous.get(FLOWS),
        anonymous.get("/api/v1/catalog/"),
        anonymous.post(f"{FLOWS}validate/", {"definition": gift_flow()}, format="json"),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401]
    assert responses[0].json()["code"] == "not_authenticated"
