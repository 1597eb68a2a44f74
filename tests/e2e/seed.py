"""A small seed for the browser tests: users of each role, three channels, a warehouse, products and stock,
an Alipay sandbox connection, an order of 299.00 paid through it (refunds.spec.ts refunds it) and the
refund payout's schedule.

Run with ``python manage.py shell < tests/e2e/seed.py`` against a throwaway database; idempotent.
"""

from decimal import Decimal

from django.contrib.auth.models import Group, User
from django_q.models import Schedule

from commerce.catalog.models import Product
from commerce.channels.models import Channel
from commerce.inventory.models import StockItem, Warehouse
from commerce.orders import statuses as order_statuses
from commerce.orders.services import AddressInput, CustomerInput, LineInput, OrderInput, order_create
from commerce.payments.services import payment_attempt_create
from connectors.base import InboundRequest
from connectors.models import Connection
from connectors.payments.alipay.sandbox import AlipaySimulator
from connectors.services.connections import ConnectionInput, connection_actor, connection_create
from connectors.services.deliveries import delivery_receive
from core.actors import Actor
from orderflow.schedules.services import SCHEDULES

PASSWORD = "e2e-password-1"

ROLES = ("operator", "supervisor", "finance", "manager", "admin")
for username, role in ((role, role) for role in ROLES):
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])

for code, name, kind in (
    ("tmall", "天猫旗舰店", Channel.MARKETPLACE),
    ("jd", "京东自营", Channel.MARKETPLACE),
    # The Shopify connector's orders arrive on this channel (connections.spec.ts: the sandbox's orders).
    ("shopify", "Shopify 独立站", Channel.OWN_STORE),
    # Orders made by hand (order-detail.spec.ts); a manual order waits a day for its payment.
    ("manual", "手工单", Channel.MANUAL),
):
    Channel.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            **({"payment_timeout_minutes": 24 * 60} if kind == Channel.MANUAL else {}),
        },
    )

warehouse, _ = Warehouse.objects.get_or_create(code="sh-main", defaults={"name": "上海主仓", "priority": 1})
# GIFT-TOTE starts out of stock: a gift flow's run dies on it until the stock is adjusted (replay test).
# The Shopify sandbox makes its orders from the catalogue's SKUs: every other product has stock to spare.
for sku, title, price, on_hand in (
    ("TEA-0001", "西湖龙井 250g", "699.00", 500),
    ("SNK-0001", "坚果礼盒", "99.00", 500),
    ("GIFT-TOTE", "帆布袋（赠品）", "29.00", 0),
    ("TEA-0002", "安吉白茶 100g", "268.00", 500),
    ("CUP-0001", "青瓷茶杯两只装", "159.00", 500),
    ("TEA-0299", "明前龙井礼盒", "299.00", 500),
):
    Product.objects.get_or_create(sku=sku, defaults={"title": title, "price": Decimal(price), "weight_grams": 500})
    StockItem.objects.get_or_create(sku=sku, warehouse=warehouse, defaults={"on_hand": on_hand, "reserved": 0})

# A 299.00 order paid through the Alipay sandbox by its real path: the payment attempt, the simulated
# buyer paying, and the signed notify verified by delivery_receive (as the demo's connectors/demo.py).
# Its customer appears nowhere else (not in fixtures/jd-orders.csv): a customer with months of history
# would be trusted by the default policy and refunded without approval.

alipay = Connection.objects.filter(connector="alipay", sandbox=True).order_by("pk").first() or connection_create(
    data=ConnectionInput(connector="alipay", name="支付宝沙箱", credentials={}, settings={}, sandbox=True)
)
refund_order, _created = order_create(
    data=OrderInput(
        channel=Channel.objects.get(code="tmall"),
        external_id="E2E-REFUND-299",
        customer=CustomerInput(name="陈静", phone="13612345299"),
        shipping_address=AddressInput(province="上海市", city="上海市", district="徐汇区", line="漕溪北路 88 号"),
        lines=[LineInput(sku="TEA-0299", quantity=1)],
    ),
    actor=Actor.system("e2e seed", source="tests"),
)
if refund_order.status == order_statuses.PENDING_PAYMENT:
    payment = payment_attempt_create(
        order_id=refund_order.pk,
        gateway="alipay",
        actor=connection_actor(alipay, source="sandbox:alipay"),
        connection_id=alipay.pk,
    )
    call = AlipaySimulator(alipay).pay(payment.out_trade_no, payment.amount)
    delivery_receive(connection=alipay, request=InboundRequest(body=call.body, headers=call.headers, query={}))
refund_order.refresh_from_db()
assert (refund_order.status, str(refund_order.total_amount)) == ("paid", "299.00"), refund_order.status

# The refund payout, every minute as ``make run`` schedules it (only this one: the other schedules would
# move the other specs' orders by themselves).
payout = next(spec for spec in SCHEDULES if spec.name == "refunds.payout")
Schedule.objects.get_or_create(
    name=payout.name,
    defaults={"func": payout.func, "schedule_type": payout.schedule_type, "minutes": payout.minutes, "repeats": -1},
)

# Reconciliation (reconciliation.spec.ts): yesterday's (Asia/Shanghai) Alipay sandbox bill also shows
# a payment taken in the merchant console that no order made: reconciling the day finds it.
from datetime import datetime as _datetime  # noqa: E402
from datetime import timedelta as _timedelta  # noqa: E402
from zoneinfo import ZoneInfo as _ZoneInfo  # noqa: E402

from connectors.models import SandboxRecord  # noqa: E402
from connectors.payments.alipay.sandbox import BILL_EXTRA  # noqa: E402

_noon = _datetime.now(_ZoneInfo("Asia/Shanghai")).replace(hour=12, minute=0, second=0, microsecond=0)
if not SandboxRecord.objects.filter(connection=alipay, kind=BILL_EXTRA).exists():
    AlipaySimulator(alipay).bill_line_add(
        at=_noon - _timedelta(days=1), out_trade_no="ALI-CONSOLE-E2E", amount="58.50", memo="店铺后台补款"
    )

# An installed flow behind its template (marketplace.spec.ts: "update available" on the flow list and in
# the editor, linking to the diff): big-order-gift installed as a draft and recorded at version 1, as if
# installed before the template's version 2.
from templates.models import Installation  # noqa: E402
from templates.services import template_install  # noqa: E402

if not Installation.objects.filter(template="big-order-gift", flow__name="E2E 旧版大单送赠品").exists():
    installed = template_install(
        slug="big-order-gift",
        user=User.objects.get(username="operator"),
        params={},
        connections={},
        enable=False,
        name="E2E 旧版大单送赠品",
    )
    Installation.objects.filter(flow=installed["flow"]).update(version=1)

print("e2e seed ready")
