"""The marketplace API: the gallery, install (answers checked, connections missing), updates, import/export."""

import json

import pytest

from builder.models import Flow
from connectors.services.connections import ConnectionInput, connection_create
from templates import library
from templates.models import Installation
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SIGNED = "/api/v1/templates/signed-complete-sms/"


def _sms(name="短信沙箱"):
    return connection_create(
        data=ConnectionInput(connector="aliyun_sms", name=name, credentials={}, settings={}, sandbox=True)
    )


def test_the_gallery_lists_filters_and_searches(operator_client):
    every = operator_client.get("/api/v1/templates/").json()
    assert {c["key"] for c in every["categories"]} == set(library.CATEGORIES)
    assert len(every["results"]) == len(library.templates())

    after_sales = operator_client.get("/api/v1/templates/?category=after_sales").json()["results"]
    assert after_sales and {t["category"] for t in after_sales} == {"after_sales"}
    found = operator_client.get("/api/v1/templates/", {"q": "签收 短信"}).json()["results"]
    assert [t["key"] for t in found] == ["signed-complete-sms"]
    assert operator_client.get("/api/v1/templates/?category=nope").status_code == 400


def test_a_missing_connection_is_explained_with_a_link_not_a_failure(operator_client):
    detail = operator_client.get(SIGNED).json()
    (need,) = detail["needs"]
    assert (need["present"], need["connector"]) == (False, "aliyun_sms")
    assert "连接" in need["explanation"]["zh"] and need["connect_url"].startswith("/app/connections")

    refused = operator_client.post(SIGNED + "install/", {"enable": True}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "connection_missing"
    assert refused.json()["details"]["missing"][0]["connect_url"] == need["connect_url"]
    assert not Flow.objects.exists()

    draft = operator_client.post(SIGNED + "install/", {"enable": False}, format="json")
    assert draft.status_code == 201
    body = draft.json()
    assert body["enabled"] is False and body["valid"] is False
    assert [m["connector"] for m in body["missing_connections"]] == ["aliyun_sms"]
    assert "connection" not in body["definition"]["nodes"][1]["params"]  # never a placeholder id


def test_install_writes_the_answers_and_remembers_the_template(operator_client):
    sms = _sms()
    answer = operator_client.post(
        SIGNED + "install/",
        {"params": {"template_code": "SMS_999", "reason": "签收"}, "connections": {"sms": sms.pk}, "enable": True},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    flow = answer.json()
    nodes = {n["id"]: n for n in flow["definition"]["nodes"]}
    assert nodes["sms"]["params"]["template_code"] == "SMS_999"
    assert nodes["sms"]["params"]["connection"] == sms.pk
    assert nodes["complete"]["params"]["reason"] == "签收"
    assert flow["enabled"] and flow["current_version"]["number"] == 1
    installation = Installation.objects.get(flow_id=flow["id"])
    assert (installation.template, installation.version) == ("signed-complete-sms", 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"params": {"threshold": "lots"}}, "params.threshold"),
        ({"params": {"threshold": -1}}, "params.threshold"),
        ({"params": {"threshold": "1.234"}}, "params.threshold"),
        ({"params": {"quantity": 1.5}}, "params.quantity"),
        ({"params": {"sku": ""}}, "params.sku"),
        ({"params": {"nope": 1}}, "params.nope"),
        ({"connections": {"sms": 1}}, "connections.sms"),
    ],
)
def test_a_wrong_answer_is_named_and_installs_nothing(operator_client, body, field):
    answer = operator_client.post("/api/v1/templates/big-order-gift/install/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["details"]
    assert not Flow.objects.exists()


def test_a_connection_of_another_connector_is_refused(operator_client):
    robot = connection_create(
        data=ConnectionInput(connector="wecom_robot", name="群", credentials={}, settings={}, sandbox=True)
    )
    answer = operator_client.post(SIGNED + "install/", {"connections": {"sms": robot.pk}}, format="json")
    assert answer.status_code == 400
    assert "aliyun_sms" in answer.json()["details"]["connections.sms"]


def test_a_test_run_on_the_latest_real_event(operator_client, channel, stocked):
    from tests.factories import create_order

    create_order(channel, external_id="BIG", lines=(("TEA-001", 4),), status="paid")
    answer = operator_client.post(
        "/api/v1/templates/big-order-gift/install/", {"enable": False, "test_event": "latest"}, format="json"
    )
    run = answer.json()["test_run"]
    assert run["ran"] and [(e["node_id"], e["status"]) for e in run["trace"]] == [
        ("big", "evaluated"),
        ("gift", "would_run"),
    ]


def test_an_update_keeps_the_operators_answers_and_shows_a_diff(operator_client, monkeypatch):
    installed = operator_client.post(
        "/api/v1/templates/big-order-gift/install/", {"params": {"threshold": 999}}, format="json"
    ).json()
    path = f"/api/v1/templates/installations/{installed['id']}/"
    assert operator_client.get(path).json()["update_available"] is False
    assert operator_client.post(path + "update/", format="json").status_code == 409

    current = library.template_get("big-order-gift")
    assert current is not None
    latest = current.version + 1
    document = json.loads(json.dumps(current.document))
    document["nodes"][1]["retry"] = {"max_attempts": 5, "backoff_seconds": 60}
    newer = library.Template(
        **{
            **current.__dict__,
            "version": latest,
            "document": document,
            "changelog": ({"version": latest, "notes": {"zh": "重试 5 次", "en": "5 attempts"}}, *current.changelog),
        }
    )
    shelf = {**{t.slug: t for t in library.templates()}, "big-order-gift": newer}
    monkeypatch.setattr(library, "_all", lambda: shelf)

    preview = operator_client.get(path).json()
    assert preview["update_available"] is True and preview["latest_version"] == latest
    assert preview["diff"]["nodes"]["changed"] == [
        {"id": "gift", "fields": ["retry.backoff_seconds", "retry.max_attempts"]}
    ]
    listed = operator_client.get("/api/v1/templates/installations/").json()["results"]
    assert [(i["flow"], i["update_available"]) for i in listed] == [(installed["id"], True)]

    updated = operator_client.post(path + "update/", format="json")
    assert updated.status_code == 200
    flow = Flow.objects.get(pk=installed["id"])
    assert flow.draft["nodes"][0]["rule"] == {">=": [{"var": "order.total_amount"}, 999]}  # kept
    assert flow.draft["nodes"][1]["retry"]["max_attempts"] == 5
    assert flow.current_version.number == 2 and flow.enabled
    assert Installation.objects.get(flow=flow).version == latest


def test_export_leaves_secrets_out_and_import_maps_connections(operator_client):
    sms = _sms("旧名字")
    flow_id = operator_client.post(SIGNED + "install/", {"enable": False}, format="json").json()["id"]
    secret = {
        "format": "orderflow.flow/v1",
        "name": "Webhook",
        "trigger": {"type": "webhook", "hmac_secret": "s" * 32},
        "nodes": [],
        "edges": [],
    }
    webhook_id = operator_client.post("/api/v1/flows/", {"definition": secret}, format="json").json()["id"]

    exported = operator_client.get(f"/api/v1/templates/export/?flows={flow_id},{webhook_id}")
    assert exported.status_code == 200
    file = exported.json()
    assert "hmac_secret" not in json.dumps(file) and "s" * 32 not in json.dumps(file)
    assert file["flows"][0]["connections"][0]["connector"] == "aliyun_sms"
    assert file["flows"][0]["template"] == {"slug": "signed-complete-sms", "version": 1}

    sms.delete()
    refused = operator_client.post("/api/v1/templates/import/", {"file": file}, format="json")
    assert refused.status_code == 400
    assert "Aliyun" in refused.json()["details"]["problems"][0]["message"]
    count = Flow.objects.count()

    other = _sms("新名字")
    imported = operator_client.post("/api/v1/templates/import/", {"file": file}, format="json")
    assert imported.status_code == 201, imported.json()
    assert Flow.objects.count() == count + 2
    assert imported.json()["flows"][0]["definition"]["nodes"][1]["params"]["connection"] == other.pk


def test_import_names_a_missing_action_in_words(operator_client):
    document = json.loads(json.dumps(library.template_get("big-order-gift").document))
    document["nodes"][1]["action"] = "erp.push_order"
    answer = operator_client.post("/api/v1/templates/import/", {"file": document}, format="json")
    assert answer.status_code == 400
    (problem,) = answer.json()["details"]["problems"]
    assert "erp.push_order" in problem["message"] and "gift" in problem["message"]
    assert "/" not in problem["message"].replace("erp.push_order", "")
    assert not Flow.objects.exists()
    wrong = operator_client.post("/api/v1/templates/import/", {"file": {"format": "x"}}, format="json")
    assert wrong.status_code == 400


def test_readers_may_look_but_not_install():
    manager = client_for("manager")
    assert manager.get("/api/v1/templates/").status_code == 200
    assert manager.post(SIGNED + "install/", {}, format="json").status_code == 403


def test_each_template_has_a_preview_image_generated_from_its_canvas(operator_client):
    from xml.etree import ElementTree

    for template in library.templates():
        answer = operator_client.get(f"/api/v1/templates/{template.slug}/preview.svg")
        assert answer.status_code == 200 and answer["Content-Type"].startswith("image/svg+xml")
        svg = ElementTree.fromstring(answer.content)
        boxes = svg.findall("{http://www.w3.org/2000/svg}rect")[1:]  # the first is the background
        assert len(boxes) == len(template.document["nodes"]) + 1  # and the trigger
    signed = operator_client.get("/api/v1/templates/signed-complete-sms/preview.svg").content.decode()
    assert "包裹已签收" in signed and "完成订单" in signed and "短信通知顾客" in signed
    english = operator_client.get("/api/v1/templates/refund-tiers/preview.svg?lang=en").content.decode()
    assert ">yes<" in english and ">no<" in english
    assert operator_client.get("/api/v1/templates/refund-tiers/preview.svg?lang=fr").status_code == 400


def test_a_label_is_text_in_the_preview_never_markup():
    from templates.preview import preview_svg

    document = json.loads(json.dumps(library.template_get("big-order-gift").document))
    document["nodes"][0]["label"] = '<script>alert("x")</script>'
    svg = preview_svg(document)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


PAID = "/api/v1/templates/paid-not-processing/install/"
GIFT = "/api/v1/templates/big-order-gift/install/"


@pytest.mark.parametrize(
    ("url", "params", "key", "words"),
    [
        (PAID, {"queue": "no-such-queue"}, "queue", "there is no ticket queue 'no-such-queue'"),
        (GIFT, {"sku": "NO-SUCH-SKU"}, "sku", "there is no active product (SKU) 'NO-SUCH-SKU'"),
    ],
)
def test_a_picker_value_that_names_nothing_is_refused_naming_the_parameter(operator_client, url, params, key, words):
    answer = operator_client.post(url, {"params": params, "enable": False}, format="json")

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_parameters"
    assert list(body["details"]) == [f"params.{key}"]
    assert words in body["details"][f"params.{key}"]
    assert not Flow.objects.exists() and not Installation.objects.exists()


def test_picker_values_that_exist_are_taken(operator_client):
    from commerce.tickets.services import ticket_open
    from tests.factories import TEST_ACTOR, ProductFactory

    ProductFactory(sku="GIFT-MUG", title="马克杯")
    ticket_open(
        title="t",
        queue="night-shift",
        priority="low",
        assignee_role="operator",
        due_at=None,
        order_id=None,
        actor=TEST_ACTOR,
    )

    queued = operator_client.post(PAID, {"params": {"queue": "night-shift"}, "enable": False}, format="json")
    gift = operator_client.post(GIFT, {"params": {"sku": "GIFT-MUG"}, "enable": False}, format="json")

    assert (queued.status_code, gift.status_code) == (201, 201)
    assert gift.json()["definition"]["nodes"][1]["params"]["sku"] == "GIFT-MUG"


def test_an_open_picker_kind_is_not_checked():
    from builder.pickers import picker_value_exists

    assert picker_value_exists(kind="tag", value="a-new-tag") is None
    assert picker_value_exists(kind="message_template", value="SMS_NEW") is None
    assert picker_value_exists(kind="ticket_priority", value="urgent") is True
    assert picker_value_exists(kind="connection", value=987654) is False
    assert picker_value_exists(kind="warehouse", value=["x"]) is False
