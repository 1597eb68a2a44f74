"""Input validation for the orders API, and the documented shape of its answers.

Answers are built by ``representation.order_representation`` (the same dict that domain events
carry); the output serializers here exist so the OpenAPI schema documents that dict.
"""

from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commerce.audit.models import AuditEntry
from commerce.orders import bulk, statuses
from commerce.orders.representation import order_representation
from commerce.orders.timeline import ORIGIN_KINDS, entry_origin
from core.time import iso_utc

MAX_LINES = 200


class LineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )


class CustomerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.RegexField(r"^\+?[0-9][0-9 -]{4,30}$", max_length=32)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class AddressInSerializer(serializers.Serializer):
    province = serializers.CharField(max_length=32)
    city = serializers.CharField(max_length=32)
    district = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    line = serializers.CharField(max_length=200)
    postcode = serializers.RegexField(
        r"^[0-9A-Za-z -]{0,12}$", max_length=12, required=False, allow_blank=True, default=""
    )


@extend_schema_field({"type": "string", "format": "ip", "description": "An IPv4 or IPv6 address."})
class IpField(serializers.IPAddressField):
    """An IPv4 or IPv6 address (the schema has no standard format for either: ``ip`` says it)."""


class OrderCreateSerializer(serializers.Serializer):
    channel = serializers.SlugField(max_length=32)
    external_id = serializers.CharField(max_length=64)
    customer = CustomerInSerializer()
    shipping_address = AddressInSerializer()
    # many=True makes a ListSerializer, which takes max_length; the stubs type the child's constructor.
    lines = LineInSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]
    status = serializers.ChoiceField(
        choices=[statuses.PENDING_PAYMENT, statuses.PAID], required=False, default=statuses.PENDING_PAYMENT
    )
    placed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    shipping_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0")
    )
    discount_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0")
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=20
    )
    client_ip = IpField(
        required=False, allow_null=True, default=None, help_text="The buyer's IP address, when the channel knows it."
    )
    device = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="The buyer's device or user agent."
    )
    buyer_account = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="The buyer's account on the channel."
    )
    buyer_remark = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="The buyer's note (买家留言)."
    )


IDEMPOTENCY_KEY_MAX_LENGTH = 128  # the audit trail's column


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=statuses.STATUSES)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH, required=False, allow_blank=False)


class TagSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=32)


class HoldSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, error_messages={"blank": _("A hold needs a reason.")})


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class ReleaseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BulkSerializer(serializers.Serializer):
    """One action for many orders. ``tag`` goes with ``tag``/``untag``, ``reason`` with ``hold`` (and
    optionally ``transition``), ``to`` with ``transition``, ``note`` optionally with ``release``."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=bulk.MAX_ORDERS,
        help_text=f"The orders, each once; at most {bulk.MAX_ORDERS}.",
    )
    action = serializers.ChoiceField(choices=bulk.ACTIONS)
    tag = serializers.CharField(max_length=32, required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    to = serializers.ChoiceField(choices=statuses.STATUSES, required=False)

    def validate_ids(self, ids):
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise serializers.ValidationError(f"each order once; repeated: {', '.join(str(i) for i in repeated[:10])}")
        return ids

    def validate(self, data):
        action = data["action"]
        if action in (bulk.TAG, bulk.UNTAG) and not data.get("tag", "").strip():
            raise serializers.ValidationError({"tag": _("Name the tag.")})
        if action == bulk.HOLD and not data["reason"].strip():
            raise serializers.ValidationError({"reason": _("A hold needs a reason.")})
        if action == bulk.TRANSITION and not data.get("to"):
            raise serializers.ValidationError({"to": _("Name the status to move to.")})
        return data


class _BulkResultOut(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    outcome = serializers.ChoiceField(
        choices=[bulk.APPLIED, bulk.UNCHANGED, bulk.IGNORED], required=False, help_text="When ok."
    )
    code = serializers.CharField(required=False, help_text="When not ok: the error code.")
    message = serializers.CharField(required=False)
    details = serializers.DictField(required=False)


class BulkAnswerSerializer(serializers.Serializer):
    results = _BulkResultOut(many=True)
    ok = serializers.IntegerField(help_text="How many orders took the change.")
    failed = serializers.IntegerField()


# --- answers (documentation of ``order_representation``) -------------------------------------


class _CustomerOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked (138****8000) unless the caller's role may read phones.")
    credit_level = serializers.IntegerField()


class _AddressOut(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked (138****8000) unless the caller's role may read phones.")
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    line = serializers.CharField()
    postcode = serializers.CharField()


class _LineOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    channel = serializers.CharField()
    external_id = serializers.CharField()
    status = serializers.ChoiceField(choices=statuses.STATUSES)
    status_changed_at = serializers.DateTimeField()
    customer = _CustomerOut()
    currency = serializers.CharField()
    goods_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    shipping_address = _AddressOut()
    client_ip = serializers.CharField(
        allow_null=True,
        help_text="The IP address the buyer ordered from, when the channel supplies it; masked (203.0.113.*) "
        "unless the caller's role reads phone numbers.",
    )
    device = serializers.CharField(help_text="The buyer's device or user agent, when the channel supplies it.")
    placed_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    on_hold = serializers.BooleanField()
    hold_reason = serializers.CharField()
    cancel_reason = serializers.CharField()
    gift_for = serializers.IntegerField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    lines = _LineOut(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    overdue = serializers.BooleanField(
        help_text="Longer in its status than the status allows (commerce.orders.sla). In answers only, not in events."
    )

    def to_representation(self, instance):
        return order_representation(instance)


class TransitionResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["applied", "ignored", "duplicate"])
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    order = OrderSerializer()


class OriginSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ORIGIN_KINDS)
    label_zh = serializers.CharField(help_text="来自天猫旗舰店推送, 来自流程「签收即完成」v3, 由 张三 手动, …")
    label_en = serializers.CharField()
    link = serializers.CharField(
        allow_null=True, help_text="The app page of the source (a flow execution on the canvas, a connection)."
    )


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.DictField()
    # The answer's key is "source"; DRF's metaclass takes declared fields out of the class.
    source = serializers.CharField()  # type: ignore[assignment]
    changes = serializers.DictField()
    trace_id = serializers.CharField()
    origin = OriginSerializer(help_text="Where the change came from, in words (the status trace).")
    ignored = serializers.BooleanField(
        help_text="A late or out-of-order event recorded but not applied (action `ignored`)."
    )

    def to_representation(self, entry):
        # The context dict is shared by every entry of the answer: channel names are read once each.
        channels = self.context.setdefault("channel_names", {}) if isinstance(self.context, dict) else None
        return {
            "id": entry.pk,
            "occurred_at": iso_utc(entry.occurred_at),
            "action": entry.action,
            "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "label": entry.actor_label},
            "source": entry.source,
            "changes": entry.changes,
            "trace_id": entry.trace_id,
            "origin": entry_origin(entry, channels=channels),
            "ignored": entry.action == AuditEntry.IGNORED,
        }


class TimelineSerializer(serializers.Serializer):
    results = TimelineEntrySerializer(many=True, help_text="Oldest first; the whole timeline (it is not paged).")
