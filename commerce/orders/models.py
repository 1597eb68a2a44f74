from decimal import Decimal

from django.db import models
from django.utils import timezone

from commerce.channels.models import Channel
from commerce.customers.models import Customer

from . import statuses


class Order(models.Model):
    """One order from one channel, identified there by ``external_id``.

    ``status`` changes only through ``services.order_transition``; every change to the row is
    audited (``commerce.audit``) and announced (``commerce.outbox``) in the same transaction.
    """

    number = models.CharField(max_length=32, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=statuses.CHOICES, default=statuses.PENDING_PAYMENT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(max_length=3, default="CNY")
    goods_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    shipping_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    ship_to_name = models.CharField(max_length=100)
    ship_to_phone = models.CharField(max_length=32)
    province = models.CharField(max_length=32)
    city = models.CharField(max_length=32)
    district = models.CharField(max_length=32, blank=True)
    address_line = models.CharField(max_length=200)
    postcode = models.CharField(max_length=12, blank=True)
    placed_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    channel_updated_at = models.DateTimeField(null=True, blank=True)
    channel_lag_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The longest a view of this order synced from its channel (webhook or poll) took to reach "
        "Orderflow after the channel changed it; null for orders no live sync brought (manual, imports).",
    )
    shipped_at = models.DateTimeField(null=True, blank=True, help_text="When the order moved to shipped.")
    on_hold = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=200, blank=True)
    cancel_reason = models.CharField(max_length=64, blank=True)
    gift_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="gifts")
    # Where the buyer placed the order, from the channels that tell (the API's create, the own store's
    # and Shopify's payloads); empty otherwise. The risk rules (``commerce.risk``) read them.
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=200, blank=True)
    buyer_account = models.CharField(
        max_length=64, blank=True, help_text="The buyer's account on the channel (member id, nick), when it says."
    )
    buyer_remark = models.CharField(max_length=500, blank=True, help_text="The buyer's note on the order (买家留言).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="order_unique_external_id_per_channel"),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="order_status_age_idx"),
            models.Index(fields=["province"], name="order_province_idx"),
            # The order board's filters and search (commerce.orders.selectors.order_list): a kanban
            # column is one status newest first; search finds an order by its external id alone
            # (the unique constraint's index starts with the channel); held orders are few.
            models.Index(fields=["status", "-created_at", "-id"], name="order_status_recent_idx"),
            models.Index(fields=["city"], name="order_city_idx"),
            # The board's other sorts: the largest orders, the longest (or latest) in their status.
            models.Index(fields=["total_amount", "id"], name="order_total_idx"),
            models.Index(fields=["status_changed_at", "id"], name="order_status_changed_idx"),
            models.Index(fields=["external_id"], name="order_external_id_idx"),
            models.Index(fields=["-created_at", "-id"], condition=models.Q(on_hold=True), name="order_held_recent_idx"),
            # The KPI rollups' refresh: orders changed since its last run, and paid orders not yet
            # shipped (whose shipping SLA may run out with no row changing).
            models.Index(fields=["updated_at"], name="order_updated_idx"),
            models.Index(fields=["paid_at"], condition=models.Q(shipped_at__isnull=True), name="order_unshipped_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_rank(self) -> int:
        return statuses.RANK[self.status]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ("order_id", "position")
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_unique_position"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position} {self.sku} x{self.quantity}"


class OrderTag(models.Model):
    """A label on an order (``vip``, ``fresh``, ``risk``…). Rows, not a JSON list, so filters use an index."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tag_rows")
    name = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "name"], name="order_tag_unique")]
        indexes = [models.Index(fields=["name", "order"], name="order_tag_name_idx")]

    def __str__(self) -> str:
        return self.name
