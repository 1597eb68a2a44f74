from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from commerce.catalog.models import Product
from commerce.channels.models import Channel
from commerce.inventory.models import StockItem, Warehouse
from commerce.orders import services as order_services
from core.actors import Actor

TEST_ACTOR = Actor.system("tests", source="tests")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ch{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    kind = Channel.MARKETPLACE


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    title = factory.LazyAttribute(lambda o: f"商品 {o.sku}")
    price = Decimal("99.00")
    weight_grams = 500


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    priority = 10


class StockItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockItem

    sku = "SKU-0000"
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 100
    reserved = 0


def make_user(username: str, role: str | None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


def order_input(channel, *, external_id="E-1", lines=(("TEA-001", 1),), status="pending_payment", **extra):
    return order_services.OrderInput(
        channel=channel,
        external_id=external_id,
        customer=order_services.CustomerInput(name="张伟", phone="13800138000"),
        shipping_address=order_services.AddressInput(
            province="浙江省", city="杭州市", district="西湖区", line="文三路 90 号"
        ),
        lines=[order_services.LineInput(sku=sku, quantity=qty) for sku, qty in lines],
        status=status,
        **extra,
    )


def create_order(channel, **kwargs):
    order, _created = order_services.order_create(data=order_input(channel, **kwargs), actor=TEST_ACTOR)
    return order


def order_payload(**overrides) -> dict:
    """A valid body for ``POST /api/v1/orders/``."""
    body = {
        "channel": "tmall",
        "external_id": "TM-10001",
        "customer": {"name": "张伟", "phone": "13800138000"},
        "shipping_address": {
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "line": "文三路 90 号",
            "postcode": "310012",
        },
        "lines": [{"sku": "TEA-001", "quantity": 2}],
    }
    body.update(overrides)
    return body


def pay_through_gateway(order, *, gateway: str = "alipay", connection_id=None):
    """The order paid in full through ``gateway``, as a verified notify would confirm it."""
    from commerce.payments.services import payment_attempt_create, payment_confirm

    payment = payment_attempt_create(order_id=order.pk, gateway=gateway, actor=TEST_ACTOR, connection_id=connection_id)
    payment_confirm(
        out_trade_no=payment.out_trade_no,
        gateway_trade_no=f"T{payment.pk:08d}",
        amount=payment.amount,
        paid_at=None,
        actor=TEST_ACTOR,
        source="tests",
    )
    payment.refresh_from_db()
    return payment
