from rest_framework import serializers

from ..models import SEVERITIES
from ..services import DIMENSIONS


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "resolved"], required=False)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AlertTextSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class AlertDrillRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.FloatField(help_text="Orders of this SKU, region or courier among those driving the alert.")

    def get_fields(self):
        # ``label`` is an attribute of every DRF field: declared here, not as a class attribute.
        return {**super().get_fields(), "label": serializers.CharField()}


class AlertDrilldownSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=DIMENSIONS)
    rows = AlertDrillRowSerializer(many=True)


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    channel = serializers.CharField(allow_null=True)
    title = AlertTextSerializer()
    message = AlertTextSerializer()
    raised_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True, help_text="The username of who resolved it.")
    drilldown = AlertDrilldownSerializer(many=True)
