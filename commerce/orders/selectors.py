import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.audit.selectors import audit_trail
from commerce.customers.models import Customer

from .models import Order, OrderLine, OrderTag
from .sla import overdue_q


def order_list(*, filters: dict | None = None, now: datetime | None = None) -> QuerySet[Order]:
    """Orders with what their representation needs, in a fixed number of queries.

    ``filters`` keys: status (one or a list), channel (code), created_after, created_before, q
    (order number, external id, customer's full phone number or part of their name), tag, tags
    (a list: orders carrying every one), province, city, on_hold, overdue (``sla``, at ``now``).
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
    for tag in dict.fromkeys([*([f["tag"]] if f.get("tag") else []), *(f.get("tags") or [])]):
        qs = qs.filter(Exists(OrderTag.objects.filter(order_id=OuterRef("pk"), name=tag)))
    if f.get("province"):
        qs = qs.filter(province=f["province"])
    if f.get("city"):
        qs = qs.filter(city=f["city"])
    if f.get("on_hold") is not None:
        qs = qs.filter(on_hold=f["on_hold"])
    if f.get("overdue") is not None:
        overdue = overdue_q(now=now or timezone.now())
        qs = qs.filter(overdue if f["overdue"] else ~overdue)
    if f.get("q"):
        qs = qs.filter(_search_q(f["q"]))
    return qs


# A name that more customers share than this is searched for in SQL as a whole (slower, and rare).
SEARCH_CUSTOMERS_AT_MOST = 1000
PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 -]{4,30}$")


def _search_q(text: str) -> Q:
    """What a search box's text finds: an exact identifier, else customers by name.

    First the identifiers, each an index lookup: the order number (any case), the external id, or
    a customer's full phone number — as typed, or without its spaces and dashes. When an order has
    one of them, that is the answer. Otherwise the orders of customers whose name contains the text.

    A phone matches only in full, so a search never tells digits of a number that a masked answer
    hides (``core.accounts.roles.PHONE_READERS``). Customers are looked up first and their ids put
    in the order query, so the database joins index lookups instead of scanning every order; a name
    part shared by very many customers stays a subquery.
    """
    term = text.strip()
    exact = Q(number=term.upper()) | Q(external_id=term)
    if PHONE_LIKE.match(term):
        phones = {term, re.sub(r"[ -]", "", term)}
        exact |= Q(customer_id__in=list(Customer.objects.filter(phone__in=phones).values_list("pk", flat=True)))
    if Order.objects.filter(exact).exists():
        return exact
    named = Customer.objects.filter(name__icontains=term)
    found = list(named.values_list("pk", flat=True)[: SEARCH_CUSTOMERS_AT_MOST + 1])
    if len(found) > SEARCH_CUSTOMERS_AT_MOST:
        return Q(customer_id__in=named.values("pk"))
    return Q(customer_id__in=found)


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


def order_customer_id(*, order_id: int) -> int | None:
    return Order.objects.filter(pk=order_id).values_list("customer_id", flat=True).first()


def order_is_held(*, order_id: int) -> bool:
    """Whether the order is on hold now — for a preview; a hold or release reports what it changed (``HoldChange``)."""
    return Order.objects.filter(pk=order_id, on_hold=True).exists()


def order_has_tag(*, order_id: int, tag: str) -> bool:
    return OrderTag.objects.filter(order_id=order_id, name=tag).exists()
