"""Input validation for the shipments API, and the documented shape of its answers.

Answers are built by ``representation.shipment_representation`` (plus the parcel's tracking
events); the output serializers here exist so the OpenAPI schema documents that dict.
"""

from rest_framework import serializers

from commerce.shipments import statuses
from commerce.shipments.services import MAX_TRACKING_NO


class ShipmentCreateSerializer(serializers.Serializer):
    courier = serializers.RegexField(
        r"^[a-z0-9_]{1,32}$", max_length=32, help_text="The courier connector's key: kuaidi100, sf."
    )
    tracking_no = serializers.RegexField(r"^[\x21-\x7e]+$", max_length=MAX_TRACKING_NO)
    carrier = serializers.RegexField(
        r"^[a-z0-9_]{1,32}$",
        max_length=32,
        required=False,
        default="",
        help_text="The carrier's code where the courier is an aggregator (Kuaidi100: yuantong, zhongtong…).",
    )


class TrackingEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=statuses.STATUSES)
    code = serializers.CharField()
    description = serializers.CharField()
    location = serializers.CharField()


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    courier = serializers.CharField()
    carrier = serializers.CharField()
    tracking_no = serializers.CharField()
    status = serializers.ChoiceField(choices=statuses.STATUSES)
    last_event_at = serializers.DateTimeField(allow_null=True)
    expected_delivery_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    latest_event = TrackingEventSerializer(allow_null=True)
    events = TrackingEventSerializer(many=True, help_text="The parcel's tracking history, oldest first.")


class ShipmentListSerializer(serializers.Serializer):
    results = ShipmentSerializer(many=True)


# --- planned parcels: merge, split ----------------------------------------------------------------


class MergeSerializer(serializers.Serializer):
    order_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=2,
        max_length=20,
        help_text="2 to 20 orders of one buyer and one address, paid or processing.",
    )


class SplitLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The order line's id.")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class SplitSerializer(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=("warehouse", "availability"),
        required=False,
        help_text="warehouse: one parcel per warehouse holding the stock; availability: in stock now, the rest later.",
    )
    later_skus = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=200,
        required=False,
        default=list,
        help_text="SKUs shipped later (presale), with by=availability.",
    )
    parcels = serializers.ListField(
        child=serializers.ListField(child=SplitLineSerializer(), min_length=1, max_length=200),
        min_length=1,  # fewer than 2 is refused by the split itself, saying so
        max_length=10,
        required=False,
        help_text="By hand: each parcel's lines; together they must hold every unit of the order exactly.",
    )

    def validate(self, attrs):
        if ("by" in attrs) == ("parcels" in attrs):
            raise serializers.ValidationError({"by": "give either by or parcels"})
        return attrs


class ParcelOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class ParcelLineSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    order_number = serializers.CharField()
    line_id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()


class ParcelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=("single", "merged", "split"))
    status = serializers.ChoiceField(choices=("planned", "waybilled", "shipped", "cancelled"))
    warehouse = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    courier = serializers.CharField()
    carrier = serializers.CharField()
    tracking_no = serializers.CharField()
    orders = ParcelOrderSerializer(many=True)
    lines = ParcelLineSerializer(many=True)
    created_at = serializers.DateTimeField()
    waybilled_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)


class ParcelListSerializer(serializers.Serializer):
    results = ParcelSerializer(many=True)


class SuggestionOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SuggestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    customer = serializers.DictField()
    address = serializers.DictField()
    orders = SuggestionOrderSerializer(many=True)


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class SuggestionQuerySerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
