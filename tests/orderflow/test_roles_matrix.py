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
from templates.models import Installation
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
RECONCILIATION_READERS = frozenset({"finance", "admin", "manager"})
RECONCILIATION_WORKERS = frozenset({"finance", "admin"})
RISK_READERS = frozenset({"operator", "supervisor", "admin", "manager"})
SCREENING_DOCUMENT = {
    "checks": [
        {"key": "small", "name_zh": "小额", "name_en": "Small", "condition": {"<": [{"var": "order.total_amount"}, 9]}}
    ]
}
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
    ("get", "/api/v1/pickers/queue/", READ, None),
    ("get", "/api/v1/flows/", READ, None),
    ("post", "/api/v1/flows/", ORDER_WORK, {"name": "New flow"}),
    ("post", "/api/v1/flows/validate/", READ, {"definition": MATRIX_FLOW}),
    ("get", "/api/v1/flows/{flow}/", READ, None),
    ("patch", "/api/v1/flows/{flow}/", ORDER_WORK, {"name": "Renamed"}),
    ("post", "/api/v1/flows/{flow}/publish/", ORDER_WORK, {"notes": "matrix"}),
    ("post", "/api/v1/flows/{flow}/duplicate/", ORDER_WORK, {}),
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
    ("get", "/api/v1/reconciliation/days/", RECONCILIATION_READERS, None),
    ("post", "/api/v1/reconciliation/days/", RECONCILIATION_WORKERS, {"date_from": "2026-12-01"}),
    ("get", "/api/v1/reconciliation/days/{recon_day}/", RECONCILIATION_READERS, None),
    ("get", "/api/v1/reconciliation/days/{recon_day}/export/", RECONCILIATION_READERS, None),
    ("get", "/api/v1/reconciliation/statements/", RECONCILIATION_READERS, None),
    ("post", "/api/v1/reconciliation/statements/", RECONCILIATION_WORKERS, "bank_statement"),
    (
        "post",
        "/api/v1/reconciliation/differences/{difference}/resolve/",
        RECONCILIATION_WORKERS,
        {"reason": "差额为运费"},
    ),
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
    ("get", "/api/v1/refunds/{refund}/evidence/", READ, None),
    ("post", "/api/v1/refunds/{refund}/evidence/", REFUND_FILERS, "evidence_image"),
    ("get", "/api/v1/refunds/{refund}/evidence/{evidence}/", READ, None),
    ("delete", "/api/v1/refunds/{refund}/evidence/{evidence}/", REFUND_FILERS, None),
    ("post", "/api/v1/refunds/bulk-approve/", REFUND_APPROVERS, {"ids": ["{refund}"], "note": "ok"}),
    ("post", "/api/v1/refunds/filing-link/", REFUND_FILERS, "refund_link"),
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
    ("get", "/api/v1/risk/reviews/", RISK_READERS, None),
    ("post", "/api/v1/risk/reviews/{risk_order}/approve/", ORDER_WORK, {"note": "known buyer"}),
    ("post", "/api/v1/risk/reviews/{risk_order}/reject/", ORDER_WORK, {"reason": "order farm"}),
    ("post", "/api/v1/risk/reviews/{risk_order}/blacklist/", ORDER_WORK, {"kinds": ["phone"]}),
    ("get", "/api/v1/risk/rules/", READ, None),
    (
        "post",
        "/api/v1/risk/rules/",
        ADMIN,
        {"key": "big", "name_zh": "大额", "name_en": "Big", "condition": {">": [{"var": "order.total_amount"}, 9]}},
    ),
    ("get", "/api/v1/risk/rules/{risk_rule}/", READ, None),
    ("patch", "/api/v1/risk/rules/{risk_rule}/", ADMIN, {"enabled": False}),
    ("get", "/api/v1/risk/blacklist/", RISK_READERS, None),
    ("post", "/api/v1/risk/blacklist/", ORDER_WORK, {"kind": "ip", "value": "198.51.100.7"}),
    ("delete", "/api/v1/risk/blacklist/{blacklist_entry}/", ADMIN, None),
    ("get", "/api/v1/screening/cases/", RISK_READERS, None),
    ("post", "/api/v1/screening/cases/{screening_order}/pass/", ORDER_WORK, {"note": "checked"}),
    ("post", "/api/v1/screening/cases/{screening_order}/reject/", ORDER_WORK, {"reason": "fake address"}),
    ("get", "/api/v1/screening/rule-set/", READ, None),
    ("post", "/api/v1/screening/rule-set/", ADMIN, {"document": SCREENING_DOCUMENT}),
    ("get", "/api/v1/orders/{order}/parcels/", READ, None),
    ("post", "/api/v1/orders/{order}/split/", ORDER_WORK, "split"),
    ("get", "/api/v1/parcels/merge-suggestions/", READ, None),
    ("post", "/api/v1/parcels/merge/", ORDER_WORK, "merge"),
    ("get", "/api/v1/parcels/{parcel}/", READ, None),
    ("post", "/api/v1/parcels/{parcel}/unmerge/", ORDER_WORK, None),
    ("post", "/api/v1/parcels/{parcel}/ship/", ORDER_WORK, None),
    ("post", "/api/v1/parcels/{parcel}/waybill/", ORDER_WORK, {"courier": "sf"}),
    ("post", "/api/v1/parcels/{parcel}/waybill/cancel/", ORDER_WORK, {"reason": "matrix"}),
    ("post", "/api/v1/waybills/", ORDER_WORK, "waybills"),
    ("post", "/api/v1/labels/", ORDER_WORK, "labels"),
    ("get", "/api/v1/templates/", READ, None),
    ("get", "/api/v1/templates/big-order-gift/", READ, None),
    ("get", "/api/v1/templates/big-order-gift/preview.svg", READ, None),
    ("post", "/api/v1/templates/big-order-gift/install/", ORDER_WORK, {"enable": False}),
    ("get", "/api/v1/templates/installations/", READ, None),
    ("get", "/api/v1/templates/installations/{flow}/", READ, None),
    ("post", "/api/v1/templates/installations/{flow}/update/", ORDER_WORK, {}),
    ("get", "/api/v1/templates/export/", READ, "export"),
    ("post", "/api/v1/templates/import/", ORDER_WORK, {"file": MATRIX_FLOW}),
]


MATRIX_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # an image by its magic bytes (refund evidence)

# The calls of the table that answer 201 Created; every other allowed call answers 200.
CREATES = {
    ("post", "/api/v1/reconciliation/statements/"),
    ("post", "/api/v1/orders/"),
    ("post", "/api/v1/orders/{order}/shipments/"),
    ("post", "/api/v1/board-views/"),
    ("post", "/api/v1/tickets/{ticket}/comments/"),
    ("post", "/api/v1/flows/{flow}/run/"),
    ("post", "/api/v1/flows/"),
    ("post", "/api/v1/flows/{flow}/publish/"),
    ("post", "/api/v1/flows/{flow}/duplicate/"),
    ("post", "/api/v1/flows/{flow}/rollback/"),
    ("post", "/api/v1/connections/"),
    ("post", "/api/v1/connections/{connection}/sandbox/orders/"),
    ("post", "/api/v1/deliveries/{delivery}/replay/"),
    ("post", "/api/v1/refunds/"),
    ("post", "/api/v1/refunds/policy/"),
    ("post", "/api/v1/order-timeouts/"),
    ("post", "/api/v1/refunds/{refund}/evidence/"),
    ("post", "/api/v1/refunds/filing-link/"),
    ("post", "/api/v1/risk/reviews/{risk_order}/blacklist/"),
    ("post", "/api/v1/risk/rules/"),
    ("post", "/api/v1/risk/blacklist/"),
    ("post", "/api/v1/screening/rule-set/"),
    ("post", "/api/v1/orders/{order}/split/"),
    ("post", "/api/v1/parcels/merge/"),
    ("post", "/api/v1/parcels/{parcel}/waybill/"),
    ("post", "/api/v1/templates/big-order-gift/install/"),
    ("post", "/api/v1/templates/import/"),
}
# The calls about planned parcels, merge, split and waybills (they need paid orders and parcels).
PARCEL_CALLS = ("/split/", "/waybills/", "/labels/")
# The calls that answer 204 No Content (deletes, and the token revocations).
DELETES = {
    ("delete", "/api/v1/connections/{connection}/"),
    ("delete", "/api/v1/order-timeouts/{timeout_rule}/"),
    ("delete", "/api/v1/board-views/{board_view}/"),
    ("delete", "/api/v1/refunds/{refund}/evidence/{evidence}/"),
    ("delete", "/api/v1/risk/blacklist/{blacklist_entry}/"),
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


def _matrix_difference(channel):
    """2026-12-01 reconciled: an order paid 199.00 that Alipay's bill shows at 150.00."""
    from commerce.reconciliation.models import ReconciliationDifference
    from commerce.reconciliation.services import reconciliation_apply
    from tests.commerce.reconciliation.helpers import DAY, bills, paid_order, pay_line

    _order, payment = paid_order(channel, "M-RECON")
    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "150.00")), actor=TEST_ACTOR)
    return ReconciliationDifference.objects.get(out_trade_no=payment.out_trade_no)


def _matrix_risk(channel, path: str) -> dict:
    """A risk-held order (a virtual number), an order waiting in the audit queue, a rule, a blacklist entry."""
    if not path.startswith(("/api/v1/risk/", "/api/v1/screening/")):
        return {"risk_order": 0, "screening_order": 0, "risk_rule": 0, "blacklist_entry": 0}
    from commerce.orders import services as order_services
    from commerce.risk.models import BlacklistEntry, RiskRule
    from commerce.screening.services import screening_gate
    from tests.factories import order_input

    data = order_input(channel, external_id="M-RISK")
    data = order_services.OrderInput(
        **{**data.__dict__, "customer": order_services.CustomerInput(name="张伟", phone="17012345678")}
    )
    held = order_services.order_place(data=data, actor=TEST_ACTOR).order
    waiting = create_order(channel, external_id="M-SCREEN", status="paid")
    order_services.order_hold(order_id=waiting.pk, reason="matrix", actor=TEST_ACTOR)
    screening_gate(order_id=waiting.pk)
    return {
        "risk_order": held.pk,
        "screening_order": waiting.pk,
        "risk_rule": RiskRule.objects.order_by("pk").values_list("pk", flat=True).first(),
        "blacklist_entry": BlacklistEntry.objects.create(kind="ip", value="192.0.2.1").pk,
    }


def _matrix_parcels(channel, path: str) -> dict:
    """Two paid orders of one buyer and address, merged in one parcel (waybilled for the ship
    call; not merged for the merge and split calls), and an SF sandbox for the waybills."""
    from commerce.shipments import parcels

    first = create_order(channel, external_id="M-P1", lines=(("TEA-001", 2),), status="paid")
    second = create_order(channel, external_id="M-P2", lines=(("TEA-001", 1),), status="paid")
    connection_create(data=ConnectionInput(connector="sf", name="顺丰沙箱", credentials={}, settings={}, sandbox=True))
    objects = {"first": first, "second": second, "parcel": None}
    if not path.endswith(("/merge/", "/split/")):
        objects["parcel"] = parcels.orders_merge(order_ids=[first.pk, second.pk], actor=TEST_ACTOR)
    if path.endswith(("/ship/", "/labels/")):
        parcels.parcel_waybill_record(
            parcel_id=objects["parcel"].pk,
            courier="sf",
            carrier="",
            tracking_no="SF1000000000099",
            waybill={},
            idempotency_key="matrix",
            actor=TEST_ACTOR,
        )
    if path.endswith("/waybill/cancel/"):
        from connectors.couriers import waybills

        waybills.parcel_waybill_request(parcel_id=objects["parcel"].pk, courier="sf", actor=TEST_ACTOR)
    return objects


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
        .replace("<int:evidence_id>", "{evidence}")
        .replace("<slug:kind>", "queue")
        .replace("<str:day>", "{recon_day}")
        .replace("<int:difference_id>", "{difference}")
        .replace("<int:held_order_id>", "{risk_order}")
        .replace("<int:waiting_order_id>", "{screening_order}")
        .replace("<int:risk_rule_id>", "{risk_rule}")
        .replace("<int:blacklist_entry_id>", "{blacklist_entry}")
        .replace("<int:parcel_id>", "{parcel}")
        .replace("<slug:slug>", "big-order-gift")
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
    "t/refund/<str:token>/evidence/<int:evidence_id>/": "an image of that refund: the same signed token, that refund's only",
    "t/refund/file/<str:token>/": "the customer's refund filing form: a signed, expiring token for one order (CSRF, rate limit)",
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
    if path.startswith("/api/v1/templates/installations/"):
        # The runtime's flow, as installed from an older version of the template its draft is.
        Installation.objects.create(flow_id=runtime["flow"], template="big-order-gift", version=0)
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
    evidence = None
    if refund is not None and "{evidence}" in path:
        from commerce.refunds.evidence import evidence_add

        evidence = evidence_add(refund_id=refund.pk, content=MATRIX_PNG, name="matrix.png", actor=TEST_ACTOR)
    difference = _matrix_difference(channel) if path.startswith("/api/v1/reconciliation/") else None
    boxed = _matrix_parcels(channel, path) if "parcel" in path or path.endswith(PARCEL_CALLS) else None
    if boxed is not None and path.startswith("/api/v1/orders/"):
        order = boxed["first"]
    url = path.format(
        evidence=evidence.pk if evidence else 0,
        recon_day="2026-12-01",
        difference=difference.pk if difference else 0,
        parcel=boxed["parcel"].pk if boxed and boxed["parcel"] else 0,
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
        **_matrix_risk(channel, path),
        job=Schedule.objects.create(name="orders.expire_unpaid", func="commerce.orders.tasks.x", minutes=1).name,
        **runtime,
    )
    token_user = make_user("tokenuser", None)
    token_user.set_password("pw-123456")
    token_user.save()
    body_format = "json"
    if isinstance(body, dict) and body.get("ids") == ["{order}"]:
        body = {**body, "ids": [order.pk]}
    if isinstance(body, dict) and body.get("ids") == ["{refund}"]:
        body = {**body, "ids": [refund.pk]}
    if body == "order":
        body = order_payload(external_id=f"M-{role}")
    elif body == "stock_csv":
        csv = b"sku,warehouse,on_hand,safety_stock\nTEA-001,sh-main,100,0\n"
        body, body_format = {"file": SimpleUploadedFile("stock.csv", csv, content_type="text/csv")}, "multipart"
    elif body == "order_csv":
        csv = ORDER_CSV_HEADER + f"M-{role},paid,王芳,13800138000,浙江省,杭州市,文三路 90 号,TEA-001,1\n".encode()
        upload = SimpleUploadedFile("orders.csv", csv, content_type="text/csv")
        body, body_format = {"file": upload, "channel": channel.code}, "multipart"
    elif body == "bank_statement":
        csv = b"date,amount,reference\n2026-12-01,199.00,OF2612010000000001\n"
        upload = SimpleUploadedFile("bank.csv", csv, content_type="text/csv")
        body, body_format = {"file": upload, "day": "2026-12-01", "kind": "bank", "account": "ICBC-1"}, "multipart"
    elif body == "refund":
        body = {"order": refund.order_id, "amount": "10.00", "reason": "quality"}
    elif body == "refund_link":
        body = {"order": refund.order_id}
    elif body == "evidence_image":
        upload = SimpleUploadedFile("damage.png", MATRIX_PNG, content_type="image/png")
        body, body_format = {"file": upload}, "multipart"
    elif body == "merge":
        body = {"order_ids": [boxed["first"].pk, boxed["second"].pk]}
    elif body == "split":
        line = boxed["first"].lines.get()
        body = {"parcels": [[{"line": line.pk, "quantity": 1}], [{"line": line.pk, "quantity": 1}]]}
    elif body == "waybills":
        body = {"order_ids": [boxed["first"].pk], "courier": "sf"}
    elif body == "labels":
        body = {"parcel_ids": [boxed["parcel"].pk]}
    elif body == "export":
        body = {"flows": str(runtime["flow"])}
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
