"""Orders for the board's tests: a customer, a city, tags and a status each, and ages set by hand."""

from datetime import timedelta

from django.utils import timezone

from commerce.orders import services
from commerce.orders.models import Order
from tests.factories import TEST_ACTOR


def board_order(
    channel,
    external_id: str,
    *,
    name: str = "张伟",
    phone: str = "13800138000",
    province: str = "浙江省",
    city: str = "杭州市",
    status: str = "pending_payment",
    tags: tuple[str, ...] = (),
) -> Order:
    order, _created = services.order_create(
        data=services.OrderInput(
            channel=channel,
            external_id=external_id,
            customer=services.CustomerInput(name=name, phone=phone),
            shipping_address=services.AddressInput(province=province, city=city, line="文三路 90 号"),
            lines=[services.LineInput(sku="TEA-001", quantity=1)],
            status=status,
            tags=tags,
        ),
        actor=TEST_ACTOR,
    )
    return order


def age(order: Order, *, minutes: float = 0, paid_minutes: float | None = None) -> Order:
    """Moves the order's last status change ``minutes`` into the past (and its payment, if given)."""
    now = timezone.now()
    changes = {"status_changed_at": now - timedelta(minutes=minutes)}
    if paid_minutes is not None:
        changes["paid_at"] = now - timedelta(minutes=paid_minutes)
    Order.objects.filter(pk=order.pk).update(**changes)
    order.refresh_from_db()
    return order
