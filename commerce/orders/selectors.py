from django.db.models import Prefetch, Q, QuerySet

from commerce.audit.models import AuditEntry
from commerce.audit.selectors import audit_trail

from .models import Order, OrderLine, OrderTag


def order_list(*, filters: dict | None = None) -> QuerySet[Order]:
    """Orders with what their representation needs, in a fixed number of queries.

    ``filters`` keys: status, channel (code), created_after, created_before, q (number, external
    id, customer name or phone), tag, province, on_hold.
    """
    qs = Order.objects.select_related("channel", "customer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        Prefetch("tag_rows", queryset=OrderTag.objects.order_by("name")),
    )
    f = filters or {}
    if f.get("status"):
        qs = (
            qs.filter(status__in=f["status"])
            if isinstance(f["status"], list | tuple)
            else qs.filter(status=f["status"])
        )
    if f.get("channel"):
        qs = qs.filter(channel__code=f["channel"])
    if f.get("created_after"):
        qs = qs.filter(created_at__gte=f["created_after"])
    if f.get("created_before"):
        qs = qs.filter(created_at__lt=f["created_before"])
    if f.get("tag"):
        qs = qs.filter(tag_rows__name=f["tag"])
    if f.get("province"):
        qs = qs.filter(province=f["province"])
    if f.get("on_hold") is not None:
        qs = qs.filter(on_hold=f["on_hold"])
    if f.get("q"):
        term = f["q"]
        qs = qs.filter(
            Q(number__iexact=term) | Q(external_id=term) | Q(customer__phone=term) | Q(customer__name__icontains=term)
        )
    return qs


def order_get(*, order_id: int) -> Order:
    return order_list().get(pk=order_id)


def order_timeline(*, order_id: int) -> QuerySet[AuditEntry]:
    """Every audited change to the order, oldest first."""
    return audit_trail(subject_type="order", subject_id=order_id)


def order_find(*, order_id: int) -> Order | None:
    """The order with its channel and customer, or ``None``."""
    return Order.objects.select_related("channel", "customer").filter(pk=order_id).first()


def order_find_by_external_id(*, channel_id: int, external_id: str) -> Order | None:
    return Order.objects.filter(channel_id=channel_id, external_id=external_id).first()


def order_find_by_number(*, number: str) -> Order | None:
    """The order whose Orderflow number is ``number`` (what a warehouse keys its pick lists by)."""
    return Order.objects.select_related("channel", "customer").filter(number=number).first()


def order_status_of(*, order_id: int) -> str | None:
    return Order.objects.filter(pk=order_id).values_list("status", flat=True).first()


def order_is_held(*, order_id: int) -> bool:
    """Whether the order is on hold now — for a preview; a hold or release reports what it changed (``HoldChange``)."""
    return Order.objects.filter(pk=order_id, on_hold=True).exists()


def order_has_tag(*, order_id: int, tag: str) -> bool:
    return OrderTag.objects.filter(order_id=order_id, name=tag).exists()
