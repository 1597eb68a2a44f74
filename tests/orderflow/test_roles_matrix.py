"""Every API endpoint × every role: who may call it, table-driven.

The table must name every route under ``/api/v1/``; a new endpoint without a row fails
``test_every_api_route_is_in_the_table``.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django_q.models import Schedule

from commerce.inbox.services import inbox_notify
from commerce.inventory.models import StockImport
from commerce.tickets.services import ticket_open
from commerce.timeouts.models import TimeoutRule
from connectors.imports.mapping import REQUIRED
from connectors.imports.models import OrderImport
from connectors.models import WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_create
from core.accounts.roles import ALL_ROLES
from insights.alerts.services import raise_alert
from insights.boards.models import BoardView
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order, make_user, order_payload
from tests.runtime.matrix import runtime_objects

READ = frozenset(ALL_ROLES)
ORDER_WORK = frozenset({"operator", "supervisor", "admin"})
UPLOADERS = frozenset({"operator", "admin"})
TICKET_WORK = frozenset({"operator", "supervisor", "finance", "admin"})
ADMIN = frozenset({"admin"})
REFUND_FILERS = frozenset({"operator", "supervisor", "finance", "admin"})
REFUND_APPROVERS = frozenset({"supervisor", "finance"})
MONITOR = frozenset({"admin", "manager", "supervisor"})  # insights.monitor.api.views.MONITOR_READERS
ALERT_RESOLVERS = frozenset({"operator", "supervisor", "admin", "manager"})
PUBLIC = None  # no authentication needed
ORDER_CSV_HEADER = b"external_id,status,customer_name,phone,province,city,address,sku,quantity\n"

# A flow without actions, so it validates whatever the catalog holds.
MATRIX_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Matrix",
    "trigger": {"type": "event", "event": "order.paid"},
    "nodes": [{"id": "big", "type": "condition", "rule": {">=": [{"var": "order.total_amount"}, 599]}}],
    "edges": [{"from": "trigger", "to": "big"}],
}

MATRIX_TEXT = {"zh": "矩阵", "en": "Matrix"}

# (method, path template, roles allowed or PUBLIC, body)
TABLE = [
    ("post", "/api/v1/auth/token/", PUBLIC, {"username": "tokenuser", "password": "pw-123456"}),
    ("get", "/api/v1/auth/me/", READ, None),
    ("post", "/api/v1/auth/token/revoke/", READ, {}),
    ("delete", "/api/v1/auth/tokens/{user}/", ADMIN, None),
    ("get", "/api/v1/orders/", READ, None),
    ("post", "/api/v1/orders/", ORDER_WORK, "order"),
    ("get", "/api/v1/orders/export.csv", READ, None),
    ("post", "/api/v1/orders/bulk/", ORDER_WORK, {"ids": ["{order}"], "action": "tag", "tag": "vip"}),
    ("get", "/api/v1/channels/", READ, None),
    ("get", "/api/v1/board-views/", READ, None),
    ("post", "/api/v1/board-views/", READ, {"name": "我的视图", "filters": {"status": ["paid"]}}),
    ("get", "/api/v1/board-views/{board_view}/", READ, None),
    ("patch", "/api/v1/board-views/{board_view}/", READ, {"name": "改名"}),
    ("delete", "/api/v1/board-views/{board_view}/", READ, None),
    ("get", "/api/v1/orders/{order}/", READ, None),
    ("post", "/api/v1/orders/{order}/transition/", ORDER_WORK, {"to": "pending_payment"}),
    ("get", "/api/v1/orders/{order}/timeline/", READ, None),
    ("post", "/api/v1/orders/{order}/tags/", ORDER_WORK, {"tag": "vip"}),
    ("post", "/api/v1/orders/{order}/tags/remove/", ORDER_WORK, {"tag": "vip"}),
    ("post", "/api/v1/orders/{order}/hold/", ORDER_WORK, {"reason": "check"}),
    ("post", "/api/v1/orders/{order}/release/", ORDER_WORK, {}),
    ("post", "/api/v1/orders/{order}/notes/", ORDER_WORK, {"text": "hello"}),
    ("get", "/api/v1/orders/{order}/shipments/", READ, None),
    (
        "post",
        "/api/v1/orders/{order}/shipments/",
        ORDER_WORK,
        {"courier": "kuaidi100", "carrier": "yuantong", "tracking_no": "YT1234567890123"},
    ),
    ("get", "/api/v1/inventory/", READ, None),
    (
        "post",
        "/api/v1/inventory/adjust/",
        ORDER_WORK,
        {"sku": "TEA-001", "warehouse": "sh-main", "delta": 1, "reason": "count"},
    ),
    ("get", "/api/v1/inventory/{stock}/movements/", READ, None),
    ("post", "/api/v1/inventory/import/", ORDER_WORK, "stock_csv"),
    (
        "post",
        "/api/v1/inventory/safety-stock/",
        ORDER_WORK,
        {"sku": "TEA-001", "warehouse": "sh-main", "safety_stock": 5, "reason": "plan"},
    ),
    ("get", "/api/v1/inventory/imports/{stock_import}/", READ, None),
    ("get", "/api/v1/orders/{order}/workspace/", READ, None),
    ("get", "/api/v1/skus/", READ, None),
    ("get", "/api/v1/warehouses/", READ, None),
    ("get", "/api/v1/tickets/", READ, None),
    ("get", "/api/v1/tickets/{ticket}/", READ, None),
    ("post", "/api/v1/tickets/{ticket}/assign-to-me/", TICKET_WORK, {}),
    ("post", "/api/v1/tickets/{ticket}/comments/", TICKET_WORK, {"body": "called the courier"}),
    ("post", "/api/v1/tickets/{ticket}/close/", TICKET_WORK, {"resolution": "done"}),
    ("get", "/api/v1/inbox/", READ, None),
    ("get", "/api/v1/inbox/unread-count/", READ, None),
    ("post", "/api/v1/inbox/{notification}/read/", READ, {}),
    ("post", "/api/v1/inbox/read-all/", READ, {}),
    ("get", "/api/v1/executions/", READ, None),
    ("get", "/api/v1/executions/stats/", READ, None),
    ("get", "/api/v1/executions/{execution}/", READ, None),
    ("post", "/api/v1/executions/{execution}/replay/", ORDER_WORK, {}),
    ("post", "/api/v1/flows/{flow}/run/", ORDER_WORK, {"input": {}}),
    ("post", "/api/v1/flows/{flow}/test-run/", ORDER_WORK, {"event": {"type": "order.paid", "order": {"id": 1}}}),
    ("post", "/api/v1/flows/{flow}/back-test/", ORDER_WORK, {"days": 1}),
    ("get", "/api/v1/runtime/kill-switch/", READ, None),
    ("post", "/api/v1/runtime/kill-switch/", frozenset({"admin"}), {"engaged": False}),
    ("get", "/api/v1/auth/session/", PUBLIC, None),
    ("get", "/api/v1/catalog/", READ, None),
    ("get", "/api/v1/flows/", READ, None),
    ("post", "/api/v1/flows/", ORDER_WORK, {"name": "New flow"}),
    ("post", "/api/v1/flows/validate/", READ, {"definition": MATRIX_FLOW}),
    ("get", "/api/v1/flows/{flow}/", READ, None),
    ("patch", "/api/v1/flows/{flow}/", ORDER_WORK, {"name": "Renamed"}),
    ("post", "/api/v1/flows/{flow}/publish/", ORDER_WORK, {"notes": "matrix"}),
    ("get", "/api/v1/flows/{flow}/versions/", READ, None),
    ("get", "/api/v1/flows/{flow}/versions/{number}/", READ, None),
    ("get", "/api/v1/flows/{flow}/diff/", READ, {"from": 1, "to": "draft"}),
    ("post", "/api/v1/flows/{flow}/rollback/", ORDER_WORK, {"version": 1}),
    ("post", "/api/v1/flows/{flow}/enable/", ORDER_WORK, {}),
    ("post", "/api/v1/flows/{flow}/disable/", ORDER_WORK, {}),
    ("get", "/api/v1/connectors/", READ, None),
    ("get", "/api/v1/connections/", READ, None),
    ("post", "/api/v1/connections/", ADMIN, {"connector": "shopify", "name": "新店", "sandbox": True}),
    ("get", "/api/v1/connections/{connection}/", READ, None),
    ("patch", "/api/v1/connections/{connection}/", ADMIN, {"name": "改名"}),
    ("delete", "/api/v1/connections/{connection}/", ADMIN, None),
    ("post", "/api/v1/connections/{connection}/test/", ADMIN, {}),
    ("post", "/api/v1/connections/{connection}/poll/", ADMIN, {}),
    ("post", "/api/v1/connections/{connection}/sandbox/orders/", ADMIN, {"count": 1}),
    ("get", "/api/v1/connections/{connection}/deliveries/", READ, None),
    ("get", "/api/v1/connections/{connection}/poll-runs/", READ, None),
    ("get", "/api/v1/connections/{connection}/stock/", READ, None),
    ("post", "/api/v1/deliveries/{delivery}/replay/", ADMIN, {}),
    ("get", "/api/v1/notifications/", READ, None),
    ("get", "/api/v1/order-imports/", READ, None),
    ("post", "/api/v1/order-imports/", UPLOADERS, "order_csv"),
    ("get", "/api/v1/order-imports/{order_import}/", READ, None),
    ("get", "/api/v1/order-imports/mappings/{channel}/", READ, None),
    ("put", "/api/v1/order-imports/mappings/{channel}/", UPLOADERS, "column_mapping"),
    ("get", "/api/v1/order-timeouts/", READ, None),
    ("post", "/api/v1/order-timeouts/", ADMIN, {"name": "发货超时", "status": "shipped", "minutes": 2880}),
    ("get", "/api/v1/order-timeouts/{timeout_rule}/", READ, None),
    ("patch", "/api/v1/order-timeouts/{timeout_rule}/", ADMIN, {"minutes": 90}),
    ("delete", "/api/v1/order-timeouts/{timeout_rule}/", ADMIN, None),
    ("get", "/api/v1/refunds/", READ, None),
    ("post", "/api/v1/refunds/", REFUND_FILERS, "refund"),
    ("get", "/api/v1/refunds/policy/", READ, None),
    ("get", "/api/v1/refunds/summary/", READ, None),
    ("post", "/api/v1/refunds/policy/", ADMIN, {"document": {"auto_approve_max": "60.00"}}),
    ("get", "/api/v1/refunds/{refund}/", READ, None),
    ("post", "/api/v1/refunds/{refund}/approve/", REFUND_APPROVERS, {"note": "ok"}),
    ("post", "/api/v1/refunds/{refund}/reject/", REFUND_APPROVERS, {"reason": "used"}),
    ("post", "/api/v1/refunds/{refund}/cancel/", REFUND_FILERS, {}),
    ("post", "/api/v1/refunds/{refund}/retry/", frozenset({"finance", "admin"}), None),
    ("get", "/api/v1/monitor/tasks/", MONITOR, None),
    ("get", "/api/v1/monitor/tasks/{job}/runs/", MONITOR, None),
    ("get", "/api/v1/kpis/", READ, None),
    ("get", "/api/v1/kpis/thresholds/", READ, None),
    ("patch", "/api/v1/kpis/thresholds/", ADMIN, {"exception_order_share": 0.05}),
    ("get", "/api/v1/alerts/", READ, None),
    ("post", "/api/v1/alerts/{alert}/resolve/", ALERT_RESOLVERS, {"note": "looked at it"}),
    (
        "post",
        "/api/v1/refunds/{refund}/return-received/",
        ORDER_WORK,
        {"lines": [{"sku": "TEA-001", "quantity": 1, "condition": "sellable"}], "tracking_no": "SF1234567890"},
    ),
]


# The calls of the table that answer 201 Created; every other allowed call answers 200.
CREATES = {
    ("post", "/api/v1/orders/"),
    ("post", "/api/v1/orders/{order}/shipments/"),
    ("post", "/api/v1/board-views/"),
    ("post", "/api/v1/tickets/{ticket}/comments/"),
    ("post", "/api/v1/flows/{flow}/run/"),
    ("post", "/api/v1/flows/"),
    ("post", "/api/v1/flows/{flow}/publish/"),
    ("post", "/api/v1/flows/{flow}/rollback/"),
    ("post", "/api/v1/connections/"),
    ("post", "/api/v1/connections/{connection}/sandbox/orders/"),
    ("post", "/api/v1/deliveries/{delivery}/replay/"),
    ("post", "/api/v1/refunds/"),
    ("post", "/api/v1/refunds/policy/"),
    ("post", "/api/v1/order-timeouts/"),
}
# The calls that answer 204 No Content (deletes, and the token revocations).
DELETES = {
    ("delete", "/api/v1/connections/{connection}/"),
    ("delete", "/api/v1/order-timeouts/{timeout_rule}/"),
    ("delete", "/api/v1/board-views/{board_view}/"),
    ("post", "/api/v1/auth/token/revoke/"),
    ("delete", "/api/v1/auth/tokens/{user}/"),
}
# The calls that answer 202 Accepted: the work goes on in the background.
ACCEPTS = {("post", "/api/v1/order-imports/")}


def _matrix_refund(channel, path: str, role: str | None):
    """A paid 398.00 order and a 299.00 refund of it waiting for ``role``'s approval (finance's
    comes second), or failed for the retry."""
    from decimal import Decimal

    from commerce.refunds.models import RefundRequest
    from commerce.refunds.services import RefundInput, refund_approve, refund_request
    from tests.factories import pay_through_gateway

    order = create_order(channel, external_id="M-REFUND", lines=(("TEA-001", 2),))
    pay_through_gateway(order)
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal("299.00"), reason="quality"), actor=TEST_ACTOR
    )
    if role == "finance" and path.endswith(("/approve/", "/reject/")):
        refund_approve(refund_id=refund.pk, user=make_user("matrix-supervisor", "supervisor"))
    if path.endswith("/retry/"):
        RefundRequest.objects.filter(pk=refund.pk).update(status="failed", failure="timeout")
    return refund


def _api_routes(resolver=None, prefix="") -> set[str]:
    resolver = resolver or get_resolver()
    found = set()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found |= _api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            found.add("/" + route)
    return found


def _template(route: str) -> str:
    return (
        route.replace("<int:order_id>", "{order}")
        .replace("<int:stock_id>", "{stock}")
        .replace("<int:ticket_id>", "{ticket}")
        .replace("<int:notification_id>", "{notification}")
        .replace("<int:flow_id>", "{flow}")
        .replace("<int:execution_id>", "{execution}")
        .replace("<int:number>", "{number}")
        .replace("<int:import_id>", "{stock_import}")
        .replace("<int:connection_id>", "{connection}")
        .replace("<int:delivery_id>", "{delivery}")
        .replace("<int:order_import_id>", "{order_import}")
        .replace("<slug:channel>", "{channel}")
        .replace("<int:refund_id>", "{refund}")
        .replace("<int:rule_id>", "{timeout_rule}")
        .replace("<int:view_id>", "{board_view}")
        .replace("<str:job>", "{job}")
        .replace("<int:alert_id>", "{alert}")
        .replace("<int:user_id>", "{user}")
    )


def test_every_api_route_is_in_the_table():
    routes = {_template(r) for r in _api_routes()}
    assert routes == {path for _m, path, _r, _b in TABLE}


# Every route outside /api/v1/, and who may reach it: none is left without a decision.
OUTSIDE_THE_API = {
    "admin/": "the Django admin: staff sessions only (Django's own login, behind the login lockout)",
    "hooks/flows/<str:token>/": "a flow's webhook: its secret URL token and the optional HMAC signature",
    "hooks/<slug:connector>/<int:connection_id>/": "a provider's webhook: its signature over the raw body",
    "t/refund/<str:token>/": "the customer's refund tracking page: a signed, expiring token for one refund",
    "t/refund/<str:token>/cancel/": "the customer's cancel of that refund: the same signed token",
    "api/schema/": "the OpenAPI schema: logged-in users unless DEBUG (tests/orderflow/test_security_settings.py)",
    "api/docs/": "the API docs: logged-in users unless DEBUG (tests/orderflow/test_security_settings.py)",
    "": "a redirect to the app",
    "^app/(?P<path>.*)$": "the browser app's shell: public HTML; everything it shows comes from the API",
}


def _routes_outside_the_api(resolver=None, prefix="") -> set[str]:
    resolver = resolver or get_resolver()
    found = set()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith("api/v1/"):
            continue
        if isinstance(entry, URLResolver) and route != "admin/":
            found |= _routes_outside_the_api(entry, route)
        else:
            found.add(route)
    return found


def test_every_route_outside_the_api_has_a_decision_on_who_may_reach_it():
    assert _routes_outside_the_api() == set(OUTSIDE_THE_API)


CASES = [(method, path, roles, body, role) for method, path, roles, body in TABLE for role in (*ALL_ROLES, None)]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed", "body", "role"), CASES)
def test_role_matrix(channel, stocked, method, path, allowed, body, role):
    order = create_order(channel)
    ticket = ticket_open(
        title="Check parcel",
        queue="warehouse",
        priority="normal",
        assignee_role="operator",
        due_at=None,
        order_id=order.pk,
        actor=TEST_ACTOR,
    )
    note = inbox_notify(
        to_role=role or "operator", title="Parcel stalled", body="", order_id=order.pk, actor=TEST_ACTOR
    )
    runtime = runtime_objects()
    if path.endswith("/rollback/"):
        # Version 1 is current; publish the changed draft as version 2 so that rolling back to 1 is a change.
        from builder import services as flow_services

        flow_services.flow_publish(flow_id=runtime["flow"], user=None)
    stock_import = StockImport.objects.create(
        actor_kind="system", source="tests", filename="big.csv", content_hash="0" * 64, size_bytes=1, row_count=1
    )
    connection = connection_create(
        data=ConnectionInput(connector="shopify", name="海外站", credentials={}, settings={}, sandbox=True)
    )
    delivery = WebhookDelivery.objects.create(
        connection=connection, body=b"{}", verified=True, dedup_key="matrix", topic="orders/create", outcome="failed"
    )
    order_import = OrderImport.objects.create(
        channel=channel, mapping_name="default", actor_kind="system", source="tests", filename="jd.csv", size_bytes=1
    )
    refund = _matrix_refund(channel, path, role) if path.startswith("/api/v1/refunds/") else None
    # A saved view belongs to the user calling: only its owner may read or change it.
    board_view = BoardView.objects.create(owner=make_user(f"user-{role or 'nobody'}", role), name="已付款")
    alert = raise_alert(rule="matrix", key="matrix", severity="warning", title=MATRIX_TEXT, message=MATRIX_TEXT)
    url = path.format(
        refund=refund.pk if refund else 0,
        timeout_rule=TimeoutRule.objects.order_by("pk").values_list("pk", flat=True).first(),
        board_view=board_view.pk,
        alert=alert.pk,
        user=make_user("matrix-token-holder", "operator").pk,
        connection=connection.pk,
        delivery=delivery.pk,
        channel=channel.code,
        order_import=order_import.pk,
        order=order.pk,
        stock=stocked.pk,
        ticket=ticket.pk,
        notification=note.pk,
        number=1,
        stock_import=stock_import.pk,
        job=Schedule.objects.create(name="orders.expire_unpaid", func="commerce.orders.tasks.x", minutes=1).name,
        **runtime,
    )
    token_user = make_user("tokenuser", None)
    token_user.set_password("pw-123456")
    token_user.save()
    body_format = "json"
    if isinstance(body, dict) and body.get("ids") == ["{order}"]:
        body = {**body, "ids": [order.pk]}
    if body == "order":
        body = order_payload(external_id=f"M-{role}")
    elif body == "stock_csv":
        csv = b"sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,100,0\n"
        body, body_format = {"file": SimpleUploadedFile("stock.csv", csv, content_type="text/csv")}, "multipart"
    elif body == "order_csv":
        csv = ORDER_CSV_HEADER + f"M-{role},paid,王芳,13800138000,浙江省,杭州市,文三路 90 号,TEA-001,1\n".encode()
        upload = SimpleUploadedFile("orders.csv", csv, content_type="text/csv")
        body, body_format = {"file": upload, "channel": channel.code}, "multipart"
    elif body == "refund":
        body = {"order": refund.order_id, "amount": "10.00", "reason": "quality"}
    elif body == "column_mapping":
        body = {"columns": {key: key for key in REQUIRED}, "statuses": {"待发货": "paid"}}

    response = getattr(client_for(role), method)(url, body, format=body_format)

    if allowed is PUBLIC:
        assert response.status_code == 200
    elif role is None:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    elif role in allowed:
        if (method, path) in CREATES:
            expected = 201
        elif (method, path) in ACCEPTS:
            expected = 202
        else:
            expected = 204 if (method, path) in DELETES else 200
        assert response.status_code == expected, response.content
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
