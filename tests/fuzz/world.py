"""The rows a live-server fuzz runs against: one user per role with a password and an API token,
and one real row of everything a URL can name (orders, tickets, flows, executions, refunds, …),
so generated calls reach the code behind the 404s. Called in a Django process pointed at a
throwaway database (``bench.harness.django_setup``)."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.accounts.roles import ALL_ROLES

PASSWORD = "fuzz-Passphrase-2026"


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, int | str]
    channel: str = "tmall"
    skus: list[str] = field(default_factory=list)
    refundable_order_id: int | None = None


def seed_world(*, stock: int = 1_000_000) -> World:
    from django.contrib.auth.models import User
    from django_q.models import Schedule
    from rest_framework.authtoken.models import Token

    from commerce.inbox.services import inbox_notify
    from commerce.inventory.models import StockImport
    from commerce.refunds.services import RefundInput, refund_request
    from commerce.risk.models import RiskRule
    from commerce.risk.services import blacklist_add
    from commerce.shipments.parcels import order_parcels_ensure
    from commerce.tickets.services import ticket_open
    from commerce.timeouts.models import TimeoutRule
    from connectors.imports.models import OrderImport
    from connectors.models import WebhookDelivery
    from connectors.services.connections import ConnectionInput, connection_create
    from insights.alerts.services import raise_alert
    from insights.boards.models import BoardView
    from templates.library import templates
    from tests.factories import (
        TEST_ACTOR,
        ChannelFactory,
        ProductFactory,
        StockItemFactory,
        WarehouseFactory,
        create_order,
        make_user,
        pay_through_gateway,
    )
    from tests.runtime.matrix import runtime_objects

    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    warehouse = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
    skus = ["TEA-001", "TEA-002", "TEA-003"]
    stock_rows = []
    for index, sku in enumerate(skus):
        ProductFactory(sku=sku, title=f"西湖龙井 {index}", price="199.00")
        stock_rows.append(StockItemFactory(sku=sku, warehouse=warehouse, on_hand=stock))

    tokens = {}
    users = {}
    for role in ALL_ROLES:
        user = make_user(f"fuzz-{role}", role)
        user.set_password(PASSWORD)
        user.save()
        users[role] = user
        tokens[role] = Token.objects.create(user=user).key
    token_holder = make_user("fuzz-token-holder", "operator")

    order = create_order(channel, external_id="FUZZ-1", lines=(("TEA-001", 2),))
    paid = create_order(channel, external_id="FUZZ-REFUND", lines=(("TEA-002", 2),))
    pay_through_gateway(paid)
    refund, _ = refund_request(
        data=RefundInput(order_id=paid.pk, amount=Decimal("99.00"), reason="quality"), actor=TEST_ACTOR
    )
    ticket = ticket_open(
        title="Parcel stalled",
        queue="warehouse",
        priority="normal",
        assignee_role="operator",
        due_at=None,
        order_id=order.pk,
        actor=TEST_ACTOR,
    )
    note = inbox_notify(to_role="operator", title="Parcel stalled", body="", order_id=order.pk, actor=TEST_ACTOR)
    runtime = runtime_objects()
    connection = connection_create(
        data=ConnectionInput(connector="shopify", name="海外站", credentials={}, settings={}, sandbox=True)
    )
    delivery = WebhookDelivery.objects.create(
        connection=connection, body=b"{}", verified=True, dedup_key="fuzz", topic="orders/create", outcome="failed"
    )
    stock_import = StockImport.objects.create(
        actor_kind="system", source="fuzz", filename="stock.csv", content_hash="0" * 64, size_bytes=1, row_count=1
    )
    order_import = OrderImport.objects.create(
        channel=channel, mapping_name="default", actor_kind="system", source="fuzz", filename="jd.csv", size_bytes=1
    )
    text = {"zh": "同步延迟", "en": "Sync delayed"}
    alert = raise_alert(rule="fuzz", key="fuzz", severity="warning", title=text, message=text)
    board_view = BoardView.objects.create(owner=users["operator"], name="已付款")
    job = Schedule.objects.create(name="orders.expire_unpaid", func="commerce.orders.tasks.x", minutes=1).name
    rule = TimeoutRule.objects.order_by("pk").values_list("pk", flat=True).first()
    parcel = order_parcels_ensure(order_id=paid.pk, actor=TEST_ACTOR)[0]
    risk_rule = RiskRule.objects.order_by("pk").values_list("pk", flat=True).first()
    blacklisted, _ = blacklist_add(kind="phone", value="13800000000", reason="fuzz", user=users["admin"])
    yesterday = (timezone.localdate(timezone.now(), ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).isoformat()
    ids = {
        "order_id": order.pk,
        "stock_id": stock_rows[0].pk,
        "ticket_id": ticket.pk,
        "notification_id": note.pk,
        "flow_id": runtime["flow"],
        "execution_id": runtime["execution"],
        "number": 1,
        "import_id": stock_import.pk,
        "connection_id": connection.pk,
        "delivery_id": delivery.pk,
        "order_import_id": order_import.pk,
        "channel": channel.code,
        "refund_id": refund.pk,
        "view_id": board_view.pk,
        "job": job,
        "alert_id": alert.pk,
        "user_id": token_holder.pk,
        "parcel_id": parcel.pk,
        "blacklist_entry_id": blacklisted.pk,
        # Orders the reviews and the screening hold: the seeded order is in neither queue, so these
        # reach the view and answer its refusal (404/409) with the error body.
        "held_order_id": order.pk,
        "waiting_order_id": order.pk,
        "slug": templates()[0].slug,
        "kind": "courier",
        "day": yesterday,
    }
    if risk_rule is not None:
        ids["risk_rule_id"] = risk_rule
    if rule is not None:
        ids["rule_id"] = rule
    assert User.objects.filter(username__startswith="fuzz-").count() == len(ALL_ROLES) + 1
    return World(tokens=tokens, ids=ids, channel=channel.code, skus=skus, refundable_order_id=paid.pk)
