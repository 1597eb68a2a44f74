"""A small seed for the browser tests: users of each role, three channels, a warehouse, products and stock.

Run with ``python manage.py shell < tests/e2e/seed.py`` against a throwaway database; idempotent.
"""

from decimal import Decimal

from django.contrib.auth.models import Group, User

from commerce.catalog.models import Product
from commerce.channels.models import Channel
from commerce.inventory.models import StockItem, Warehouse

PASSWORD = "e2e-password-1"

for username, role in (("operator", "operator"), ("manager", "manager"), ("admin", "admin")):
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
):
    Product.objects.get_or_create(sku=sku, defaults={"title": title, "price": Decimal(price), "weight_grams": 500})
    StockItem.objects.get_or_create(sku=sku, warehouse=warehouse, defaults={"on_hand": on_hand, "reserved": 0})

print("e2e seed ready")
