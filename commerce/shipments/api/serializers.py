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
