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
