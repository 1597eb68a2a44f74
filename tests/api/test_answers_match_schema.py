"""The API's answers are what ``/api/schema/`` says they are.

Most answers are dicts built by a representation function, beside a serializer that exists only
to document them; nothing else ties the two. Here every GET operation of the schema, and the main
writes, are called on real rows, and each JSON answer is validated against the operation's
response schema for the status it answered (which must be documented). Objects may not carry
properties the schema does not name, so a field added on one side only fails here.
"""

import copy
import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.inbox import services as inbox_services
from commerce.payments.models import Payment, PaymentRefund
from commerce.shipments.services import TrackingInput, tracking_events_apply
from commerce.tickets import services as ticket_services
from tests.factories import TEST_ACTOR, make_user, order_payload

pytestmark = pytest.mark.django_db

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def _json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: ``nullable`` becomes a null alternative, and an
    object that lists its properties allows no others (unless it says otherwise)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        if "type" in node and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


class Answers:
    """Validates answers against the served schema and collects every mismatch."""

    def __init__(self, client: APIClient):
        response = client.get("/api/schema/?format=json")
        assert response.status_code == 200
        self.schema = json.loads(response.content)
        self.components = _json_schema(self.schema["components"])
        self.checked: set[tuple[str, str]] = set()
        self.mismatches: list[str] = []

    def check(self, response, method: str, path: str) -> dict | list | None:
        """Validates ``response`` as the answer of ``method path`` (the schema's path template)."""
        where = f"{method.upper()} {path} → {response.status_code}"
        self.checked.add((method, path))
        documented = self.schema["paths"][path][method]["responses"]
        if response.status_code >= 400:
            self.mismatches.append(f"{where}: the call failed: {response.content[:300]!r}")
            return None
        if str(response.status_code) not in documented:
            self.mismatches.append(f"{where}: status not documented (documented: {sorted(documented)})")
            return None
        contents = documented[str(response.status_code)].get("content", {})
        content = contents.get("application/json")
        if content is None and response.get("Content-Type", "").split(";")[0] in contents:
            return None  # a documented answer that is not JSON (the orders' CSV export)
        if content is None:
            if response.content:
                self.mismatches.append(f"{where}: documented without a body, answered {response.content[:100]!r}")
            return None
        answer = response.json()
        validator = Draft202012Validator(
            {**_json_schema(content["schema"]), "components": self.components}, format_checker=FORMATS
        )
        for error in sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path)):
            pointer = "/" + "/".join(str(p) for p in error.absolute_path)
            self.mismatches.append(f"{where} at {pointer}: {error.message[:300]}")
        return answer


@pytest.fixture
def admin_client(db):
    admin = make_user("admin", "admin")
    token, _created = Token.objects.get_or_create(user=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


MANUAL_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Tell the supervisors",
    "trigger": {"type": "manual"},
    "nodes": [
        {
            "id": "tell",
            "type": "action",
            "action": "notify.inbox",
            "params": {"to_role": "supervisor", "title": "Hi", "body": ""},
        }
    ],
    "edges": [{"from": "trigger", "to": "tell"}],
}

EVENT_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Big orders",
    "trigger": {"type": "event", "event": "order.paid"},
    "nodes": [{"id": "big", "type": "condition", "rule": {">=": [{"var": "order.total_amount"}, 100]}}],
    "edges": [{"from": "trigger", "to": "big"}],
}


ORDER_COLUMNS = {
    key: key for key in ("status", "customer_name", "phone", "province", "city", "address", "sku", "quantity")
}
ORDER_CSV = "单号,status,customer_name,phone,province,city,address,sku,quantity\nS-1,待发货,王芳,13800138000,浙江省,杭州市,文三路 90 号,TEA-001,1\n".encode()


def test_answers_match_the_schema(admin_client, channel, stocked, settings, django_capture_on_commit_callbacks):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    api = Answers(admin_client)
    post = admin_client.post

    # Writes, each answer checked, which also leave a row of every kind for the reads below.
    login = make_user("clerk", "operator")
    login.set_password("pw-123456")
    login.save()
    credentials = {"username": "clerk", "password": "pw-123456"}
    api.check(APIClient().post("/api/v1/auth/token/", credentials, format="json"), "post", "/api/v1/auth/token/")
    order = api.check(post("/api/v1/orders/", order_payload(), format="json"), "post", "/api/v1/orders/")
    api.check(post("/api/v1/orders/", order_payload(), format="json"), "post", "/api/v1/orders/")
    order_id = order["id"]
    for suffix, body in [
        ("transition/", {"to": "paid", "reason": "paid at the till"}),
        ("tags/", {"tag": "vip"}),
        ("tags/remove/", {"tag": "vip"}),
        ("hold/", {"reason": "address check"}),
        ("release/", {"note": "checked"}),
        ("notes/", {"text": "called the customer"}),
    ]:
        path = "/api/v1/orders/{order_id}/" + suffix
        api.check(post(f"/api/v1/orders/{order_id}/{suffix}", body, format="json"), "post", path)
    shipments_path = "/api/v1/orders/{order_id}/shipments/"
    parcel = {"courier": "kuaidi100", "carrier": "yuantong", "tracking_no": "YT1234567890123"}
    api.check(post(f"/api/v1/orders/{order_id}/shipments/", parcel, format="json"), "post", shipments_path)
    tracking_events_apply(
        courier="kuaidi100",
        tracking_no="YT1234567890123",
        events=[TrackingInput(occurred_at=timezone.now(), status="in_transit", code="0", description="在途")],
        actor=TEST_ACTOR,
        source="tests",
    )
    api.check(post(f"/api/v1/orders/{order_id}/shipments/", parcel, format="json"), "post", shipments_path)
    adjust = {"sku": "TEA-001", "warehouse": "sh-main", "delta": 5, "reason": "count"}
    row = api.check(post("/api/v1/inventory/adjust/", adjust, format="json"), "post", "/api/v1/inventory/adjust/")
    safety = {"sku": "TEA-001", "warehouse": "sh-main", "safety_stock": 3, "reason": "plan"}
    api.check(post("/api/v1/inventory/safety-stock/", safety, format="json"), "post", "/api/v1/inventory/safety-stock/")
    csv = SimpleUploadedFile("stock.csv", b"sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,90,3\n")
    api.check(post("/api/v1/inventory/import/", {"file": csv}, format="multipart"), "post", "/api/v1/inventory/import/")
    mapping = {"columns": {"external_id": "单号", **ORDER_COLUMNS}, "statuses": {"待发货": "paid"}}
    mapping_path = "/api/v1/order-imports/mappings/{channel}/"
    api.check(
        admin_client.put(f"/api/v1/order-imports/mappings/{channel.code}/", mapping, format="json"), "put", mapping_path
    )
    orders_csv = SimpleUploadedFile("orders.csv", ORDER_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        order_import = api.check(
            post("/api/v1/order-imports/", {"file": orders_csv, "channel": channel.code}, format="multipart"),
            "post",
            "/api/v1/order-imports/",
        )

    # The order workspace shows payments (one paid and refunded in part, one still pending) and refunds.
    paid = Payment.objects.create(
        order_id=order_id,
        attempt=1,
        gateway="alipay",
        out_trade_no="OF-SCHEMA-1",
        amount=Decimal("199.00"),
        status=Payment.REFUNDED_PARTIALLY,
        paid_amount=Decimal("199.00"),
        refunded_amount=Decimal("20.00"),
        paid_at=timezone.now(),
        confirmed_by="notify",
    )
    Payment.objects.create(order_id=order_id, attempt=2, gateway="wechatpay", out_trade_no="OF-SCHEMA-2", amount=1)
    PaymentRefund.objects.create(payment=paid, out_request_no="RF-SCHEMA-1", amount=Decimal("20.00"), reason="dent")
    ticket = ticket_services.ticket_open(
        title="Parcel stalled",
        queue="warehouse",
        priority="high",
        assignee_role="operator",
        due_at=None,
        order_id=order_id,
        actor=TEST_ACTOR,
    )
    for suffix, body in [
        ("assign-to-me/", None),
        ("comments/", {"body": "called the courier"}),
        ("close/", {"resolution": "re-shipped"}),
    ]:
        path = "/api/v1/tickets/{ticket_id}/" + suffix
        api.check(post(f"/api/v1/tickets/{ticket.pk}/{suffix}", body, format="json"), "post", path)
    notification = inbox_services.inbox_notify(
        to_role="admin", title="Parcel stalled", body="see the ticket", order_id=order_id, actor=TEST_ACTOR
    )
    inbox_services.inbox_notify(to_role="admin", title="Second", body="", order_id=None, actor=TEST_ACTOR)
    path = "/api/v1/inbox/{notification_id}/read/"
    api.check(post(f"/api/v1/inbox/{notification.pk}/read/", format="json"), "post", path)
    api.check(post("/api/v1/inbox/read-all/", format="json"), "post", "/api/v1/inbox/read-all/")

    flow = api.check(
        post("/api/v1/flows/", {"definition": copy.deepcopy(MANUAL_FLOW)}, format="json"), "post", "/api/v1/flows/"
    )
    flow_id = flow["id"]
    flow_path = "/api/v1/flows/{flow_id}/"
    api.check(admin_client.patch(f"/api/v1/flows/{flow_id}/", {"description": "d"}, format="json"), "patch", flow_path)
    api.check(post(f"/api/v1/flows/{flow_id}/publish/", {"notes": "v1"}, format="json"), "post", flow_path + "publish/")
    api.check(post(f"/api/v1/flows/{flow_id}/enable/", format="json"), "post", flow_path + "enable/")
    draft = {**copy.deepcopy(MANUAL_FLOW), "name": "Tell them twice"}
    api.check(admin_client.put(f"/api/v1/flows/{flow_id}/", {"definition": draft}, format="json"), "put", flow_path)
    api.check(post(f"/api/v1/flows/{flow_id}/publish/", {}, format="json"), "post", flow_path + "publish/")
    rollback = post(f"/api/v1/flows/{flow_id}/rollback/", {"version": 1}, format="json")
    api.check(rollback, "post", flow_path + "rollback/")
    with django_capture_on_commit_callbacks(execute=True):
        run = api.check(
            post(f"/api/v1/flows/{flow_id}/run/", {"input": {"why": "test"}}, format="json"), "post", flow_path + "run/"
        )
    event_flow = api.check(
        post("/api/v1/flows/", {"definition": copy.deepcopy(EVENT_FLOW)}, format="json"), "post", "/api/v1/flows/"
    )
    api.check(
        post("/api/v1/flows/validate/", {"definition": EVENT_FLOW}, format="json"), "post", "/api/v1/flows/validate/"
    )
    test_run = {"event": {"type": "order.paid", "order": order}}
    api.check(
        post(f"/api/v1/flows/{event_flow['id']}/test-run/", test_run, format="json"), "post", flow_path + "test-run/"
    )
    api.check(
        post(f"/api/v1/flows/{event_flow['id']}/back-test/", {"days": 1}, format="json"),
        "post",
        flow_path + "back-test/",
    )
    api.check(
        post("/api/v1/runtime/kill-switch/", {"engaged": False, "reason": "all clear"}, format="json"),
        "post",
        "/api/v1/runtime/kill-switch/",
    )

    shop = {
        "connector": "shopify",
        "name": "海外站",
        "credentials": {"shop_domain": "tea-house.myshopify.com", "access_token": "shpat_x", "client_secret": "s"},
    }
    connection = api.check(post("/api/v1/connections/", shop, format="json"), "post", "/api/v1/connections/")
    connection_path = "/api/v1/connections/{connection_id}/"
    renamed = admin_client.patch(f"/api/v1/connections/{connection['id']}/", {"name": "海外站二"}, format="json")
    api.check(renamed, "patch", connection_path)
    from connectors.models import WebhookDelivery

    delivery = WebhookDelivery.objects.create(
        connection_id=connection["id"],
        body=b"{}",
        verified=True,
        dedup_key="k",
        topic="orders/create",
        outcome="failed",
    )

    from tests.factories import create_order, pay_through_gateway

    refund_order = create_order(channel, external_id="SCHEMA-REFUND", lines=(("TEA-001", 2),))
    pay_through_gateway(refund_order)
    refund_body = {"order": refund_order.pk, "amount": "299.00", "reason": "quality", "lines": []}
    refund = api.check(post("/api/v1/refunds/", refund_body, format="json"), "post", "/api/v1/refunds/")
    supervisor = APIClient()
    supervisor.force_authenticate(make_user("schema-supervisor", "supervisor"))
    refund_path = "/api/v1/refunds/{refund_id}/"
    approved = supervisor.post(f"/api/v1/refunds/{refund['id']}/approve/", {"note": "ok"}, format="json")
    api.check(approved, "post", refund_path + "approve/")
    from django.core.files.uploadedfile import SimpleUploadedFile as ImageUpload

    image = ImageUpload("damage.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    evidence_path = refund_path + "evidence/"
    evidence_url = f"/api/v1/refunds/{refund['id']}/evidence/"
    evidence = api.check(post(evidence_url, {"file": image}, format="multipart"), "post", evidence_path)
    bulk_refunds = {"ids": [refund["id"], 987654], "note": "ok"}
    bulk_path = "/api/v1/refunds/bulk-approve/"
    api.check(supervisor.post(bulk_path, bulk_refunds, format="json"), "post", bulk_path)
    link_path = "/api/v1/refunds/filing-link/"
    api.check(post(link_path, {"order": refund_order.pk}, format="json"), "post", link_path)
    policy = {"document": {"auto_approve_max": "60.00"}, "note": "大促"}
    api.check(post("/api/v1/refunds/policy/", policy, format="json"), "post", "/api/v1/refunds/policy/")
    rule_body = {"name": "发货 48 小时未签收", "status": "shipped", "minutes": 2880, "channel": channel.code}
    rule = api.check(post("/api/v1/order-timeouts/", rule_body, format="json"), "post", "/api/v1/order-timeouts/")
    board_views = "/api/v1/board-views/"
    saved = {
        "name": "待发货",
        "filters": {"status": ["paid"], "overdue": True},
        "columns": ["number"],
        "layout": "kanban",
    }
    board_view = api.check(post(board_views, saved, format="json"), "post", board_views)
    renamed_view = admin_client.patch(f"{board_views}{board_view['id']}/", {"name": "待发货二"}, format="json")
    api.check(renamed_view, "patch", board_views + "{view_id}/")
    bulk = {"ids": [order_id, 987654], "action": "tag", "tag": "vip"}
    api.check(post("/api/v1/orders/bulk/", bulk, format="json"), "post", "/api/v1/orders/bulk/")

    # Reconciliation: 2026-12-01 with a difference (resolved through the API), 2026-12-02 run through it.
    from commerce.reconciliation.models import ReconciliationDifference
    from commerce.reconciliation.services import reconciliation_apply
    from tests.commerce.reconciliation.helpers import DAY, bills, paid_order, pay_line

    _recon_order, recon_payment = paid_order(channel, "SCHEMA-RECON")
    reconciliation_apply(
        day=DAY, bills=bills(pay_line(recon_payment.out_trade_no, "150.00"), pay_line("X-1", "1.00")), actor=TEST_ACTOR
    )
    recon_days = "/api/v1/reconciliation/days/"
    api.check(post(recon_days, {"date_from": "2026-12-02"}, format="json"), "post", recon_days)
    difference = ReconciliationDifference.objects.filter(out_trade_no=recon_payment.out_trade_no).get()
    resolve_path = "/api/v1/reconciliation/differences/{difference_id}/resolve/"
    resolved = post(resolve_path.format(difference_id=difference.pk), {"reason": "运费差额"}, format="json")
    api.check(resolved, "post", resolve_path)
    # Risk: two orders held by a rule (a virtual number), one approved, one blacklisted and rejected.
    reviews = "/api/v1/risk/reviews/{held_order_id}/"
    risky = [
        api.check(
            post(
                "/api/v1/orders/",
                order_payload(
                    external_id=f"RISK-{n}",
                    customer={"name": "张伟", "phone": "17012345678"},
                    client_ip="203.0.113.5",
                    device="iPhone",
                ),
                format="json",
            ),
            "post",
            "/api/v1/orders/",
        )
        for n in range(2)
    ]
    approve = post(f"/api/v1/risk/reviews/{risky[0]['id']}/approve/", {"note": "known"}, format="json")
    api.check(approve, "post", reviews + "approve/")
    listed = post(f"/api/v1/risk/reviews/{risky[1]['id']}/blacklist/", {"kinds": ["ip"]}, format="json")
    api.check(listed, "post", reviews + "blacklist/")
    reject = post(f"/api/v1/risk/reviews/{risky[1]['id']}/reject/", {"reason": "farm"}, format="json")
    api.check(reject, "post", reviews + "reject/")
    risk_rule = api.check(
        post(
            "/api/v1/risk/rules/",
            {
                "key": "big",
                "name_zh": "大额",
                "name_en": "Big",
                "condition": {">": [{"var": "order.total_amount"}, 9e5]},
            },
            format="json",
        ),
        "post",
        "/api/v1/risk/rules/",
    )
    patched = admin_client.patch(f"/api/v1/risk/rules/{risk_rule['id']}/", {"enabled": False}, format="json")
    api.check(patched, "patch", "/api/v1/risk/rules/{risk_rule_id}/")
    entry = api.check(
        post("/api/v1/risk/blacklist/", {"kind": "phone", "value": "16512345678"}, format="json"),
        "post",
        "/api/v1/risk/blacklist/",
    )
    removed = admin_client.delete(f"/api/v1/risk/blacklist/{entry['id']}/")
    api.check(removed, "delete", "/api/v1/risk/blacklist/{blacklist_entry_id}/")
    # The smart audit: two paid orders kept at the gate (held), one passed, one rejected; a new rule set.
    from commerce.orders import services as order_services
    from commerce.screening.services import screening_gate

    gated = []
    for n in range(2):
        kept = create_order(channel, external_id=f"GATE-{n}", status="paid")
        order_services.order_hold(order_id=kept.pk, reason="check", actor=TEST_ACTOR)
        screening_gate(order_id=kept.pk)
        gated.append(kept.pk)
    cases = "/api/v1/screening/cases/{waiting_order_id}/"
    api.check(post(f"/api/v1/screening/cases/{gated[0]}/pass/", {}, format="json"), "post", cases + "pass/")
    refused = post(f"/api/v1/screening/cases/{gated[1]}/reject/", {"reason": "fake"}, format="json")
    api.check(refused, "post", cases + "reject/")
    check = {
        "key": "under_limit",
        "name_zh": "金额未超限",
        "name_en": "Within the limit",
        # Holds for the orders below: they go on to the warehouse paths (waybills) through this rule set.
        "condition": {"<": [{"var": "order.total_amount"}, 90000]},
    }
    saved_set = post("/api/v1/screening/rule-set/", {"document": {"checks": [check]}}, format="json")
    api.check(saved_set, "post", "/api/v1/screening/rule-set/")

    # Planned parcels: merge, waybill, ship, un-merge, split, batch waybills, labels.
    from connectors.services.connections import ConnectionInput, connection_create
    from tests.factories import create_order

    connection_create(data=ConnectionInput(connector="sf", name="顺丰沙箱", credentials={}, settings={}, sandbox=True))
    boxed = [create_order(channel, external_id=f"SCHEMA-P{n}", status="paid").pk for n in range(6)]
    merged = api.check(
        post("/api/v1/parcels/merge/", {"order_ids": boxed[:2]}, format="json"), "post", "/api/v1/parcels/merge/"
    )
    parcel_path = "/api/v1/parcels/{parcel_id}/"
    waybill = post(f"/api/v1/parcels/{merged['id']}/waybill/", {"courier": "sf"}, format="json")
    api.check(waybill, "post", parcel_path + "waybill/")
    api.check(post(f"/api/v1/parcels/{merged['id']}/ship/", {}, format="json"), "post", parcel_path + "ship/")
    other = api.check(
        post("/api/v1/parcels/merge/", {"order_ids": boxed[2:4]}, format="json"), "post", "/api/v1/parcels/merge/"
    )
    api.check(post(f"/api/v1/parcels/{other['id']}/unmerge/", {}, format="json"), "post", parcel_path + "unmerge/")
    two = create_order(channel, external_id="SCHEMA-SPLIT", lines=(("TEA-001", 2),), status="paid")
    half = [{"line": two.lines.get().pk, "quantity": 1}]
    split_body = {"parcels": [half, half]}
    api.check(
        post(f"/api/v1/orders/{two.pk}/split/", split_body, format="json"), "post", "/api/v1/orders/{order_id}/split/"
    )
    waybills_body = {"order_ids": [boxed[5], 987654], "courier": "kuaidi100"}
    api.check(post("/api/v1/waybills/", waybills_body, format="json"), "post", "/api/v1/waybills/")
    labels = post("/api/v1/labels/", {"order_ids": boxed[:2]}, format="json")
    assert labels["Content-Type"] == "application/pdf" and labels.content.startswith(b"%PDF")
    api.check(labels, "post", "/api/v1/labels/")
    installed = api.check(
        post("/api/v1/templates/big-order-gift/install/", {"enable": False, "test_event": "latest"}, format="json"),
        "post",
        "/api/v1/templates/{slug}/install/",
    )
    assert installed["test_run"]["ran"] is True
    imported = post("/api/v1/templates/import/", {"file": EVENT_FLOW}, format="json")
    api.check(imported, "post", "/api/v1/templates/import/")
    from templates.models import Installation

    # The manual flow, as installed from an older version of a template: an update is available.
    Installation.objects.create(flow_id=flow_id, template="big-order-gift", version=0)

    # Every read of the schema, with the rows made above.
    ids = {
        "risk_rule_id": risk_rule["id"],
        "parcel_id": merged["id"],
        "refund_id": refund["id"],
        "evidence_id": evidence["id"],
        "rule_id": rule["id"],
        "order_id": order_id,
        "ticket_id": ticket.pk,
        "notification_id": notification.pk,
        "flow_id": flow_id,
        "number": 1,
        "execution_id": run["id"],
        "stock_id": row["id"],
        "import_id": None,
        "connection_id": connection["id"],
        "delivery_id": delivery.pk,
        "order_import_id": order_import["id"],
        "channel": channel.code,
        "kind": "channel",
        "view_id": board_view["id"],
        "day": DAY.isoformat(),
        "slug": "big-order-gift",
    }
    from commerce.inventory.models import StockImport

    stock_import = StockImport.objects.create(
        actor_kind="system", source="tests", filename="big.csv", content_hash="0" * 64, size_bytes=1, row_count=1
    )
    ids["import_id"] = stock_import.pk
    # The task monitor: a scheduled job with a run that failed and one that warned.
    from django_q.models import Schedule

    from insights.monitor.services import job_run_record

    ids["job"] = Schedule.objects.create(name="orders.expire_unpaid", func="commerce.orders.tasks.x", minutes=1).name
    now = timezone.now()
    job_run_record(
        job="orders.expire_unpaid", func="f", task_id="a", started_at=now, finished_at=now, success=False, result="boom"
    )
    job_run_record(
        job="orders.expire_unpaid", func="f", task_id="b", started_at=now, finished_at=now, success=True, result=3
    )
    queries = {
        "/api/v1/flows/{flow_id}/diff/": {"from": 1, "to": "draft"},
        "/api/v1/templates/export/": {"flows": f"{flow_id},{installed['id']}"},
    }
    for path, operations in api.schema["paths"].items():
        if "get" not in operations or path == "/api/v1/auth/session/":
            continue
        url = path.format(**ids)
        api.check(admin_client.get(url, queries.get(path, {})), "get", path)
    api.check(APIClient().get("/api/v1/auth/session/"), "get", "/api/v1/auth/session/")
    from builder.pickers import picker_kinds

    for kind in picker_kinds():
        api.check(admin_client.get(f"/api/v1/pickers/{kind}/"), "get", "/api/v1/pickers/{kind}/")

    update_path = "/api/v1/templates/installations/{flow_id}/update/"
    api.check(post(update_path.format(flow_id=flow_id), format="json"), "post", update_path)

    unpublished = admin_client.delete(f"/api/v1/flows/{event_flow['id']}/")
    api.check(unpublished, "delete", flow_path)
    duplicated = post(f"/api/v1/flows/{flow_id}/duplicate/", {}, format="json")
    api.check(duplicated, "post", flow_path + "duplicate/")
    api.check(admin_client.delete(f"/api/v1/flows/{flow_id}/"), "delete", flow_path)  # published: archived
    api.check(admin_client.delete(f"{board_views}{board_view['id']}/"), "delete", board_views + "{view_id}/")

    reads = {(method, path) for path, ops in api.schema["paths"].items() for method in ops if method == "get"}
    assert reads <= api.checked
    assert api.mismatches == [], "\n".join(api.mismatches)


class _Answer:
    def __init__(self, status_code: int, body):
        self.status_code = status_code
        self.content = json.dumps(body).encode()

    def json(self):
        return json.loads(self.content)


def test_the_check_reports_an_undocumented_field_a_wrong_type_and_an_undocumented_status(admin_client):
    api = Answers(admin_client)
    me = {"username": "admin", "roles": ["admin"]}

    api.check(_Answer(200, me), "get", "/api/v1/auth/me/")
    api.check(_Answer(200, {**me, "email": "a@example.com"}), "get", "/api/v1/auth/me/")
    api.check(_Answer(200, {**me, "roles": "admin"}), "get", "/api/v1/auth/me/")
    api.check(_Answer(201, me), "get", "/api/v1/auth/me/")
    api.check(_Answer(200, {"unread": 1, "when": "yesterday"}), "get", "/api/v1/inbox/unread-count/")
    switch = {"engaged": False, "reason": "", "changed_by": None, "changed_at": "2026-12-06 04:00"}
    api.check(_Answer(200, switch), "get", "/api/v1/runtime/kill-switch/")

    assert api.mismatches == [
        "GET /api/v1/auth/me/ → 200 at /: Additional properties are not allowed ('email' was unexpected)",
        "GET /api/v1/auth/me/ → 200 at /roles: 'admin' is not of type 'array'",
        "GET /api/v1/auth/me/ → 201: status not documented (documented: ['200', '400', '401', '403', '414', '503'])",
        "GET /api/v1/inbox/unread-count/ → 200 at /: Additional properties are not allowed ('when' was unexpected)",
        "GET /api/v1/runtime/kill-switch/ → 200 at /changed_at: '2026-12-06 04:00' is not a 'date-time'",
    ]
