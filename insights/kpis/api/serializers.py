from collections.abc import Mapping
from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from commerce.channels.models import Channel

from .. import definitions
from ..facts import TIME_ZONE
from ..selectors import MAX_RANGE_DAYS

DEFAULT_DAYS = 7


class KpiQuerySerializer(serializers.Serializer):
    """``from`` and ``to``: Asia/Shanghai days, both included; by default the last 7 days to today."""

    to = serializers.DateField(required=False, help_text="The last day, included (default today, Asia/Shanghai).")
    channel = serializers.SlugField(required=False, max_length=32, help_text="A channel code: only its orders.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="The first day, included (default 6 days before `to`)."
        )
        return fields

    def validate_channel(self, code: str) -> Channel:
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            raise serializers.ValidationError(f"no channel {code!r}")
        return channel

    def validate(self, attrs):
        date_to = attrs.get("to") or timezone.now().astimezone(TIME_ZONE).date()
        date_from = attrs.get("from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": "must not be after `to`"})
        if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"from": f"a range covers at most {MAX_RANGE_DAYS} days"})
        return {"date_from": date_from, "date_to": date_to, "channel": attrs.get("channel")}


class KpiBilingualSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class KpiTrendPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.FloatField(allow_null=True)


class KpiSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=definitions.KEYS)
    title = KpiBilingualSerializer()
    unit = serializers.ChoiceField(
        choices=[definitions.RATIO, definitions.MINUTES, definitions.COUNT, definitions.MONEY]
    )
    value = serializers.FloatField(allow_null=True)
    measured = serializers.BooleanField()
    threshold = serializers.FloatField(allow_null=True)
    comparison = serializers.ChoiceField(choices=definitions.COMPARISONS, allow_null=True)
    ok = serializers.BooleanField(allow_null=True)
    previous = serializers.FloatField(allow_null=True, help_text="The value over as many days just before the range.")
    trend = KpiTrendPointSerializer(many=True, help_text="One point per day of the range; null where not measured.")


class KpiRangeSerializer(serializers.Serializer):
    to = serializers.DateField()
    timezone = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class KpiTotalsSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    gmv = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Total of the range's paid orders.")
    currency = serializers.CharField()


class KpiDayPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    orders = serializers.IntegerField()
    gmv = serializers.DecimalField(max_digits=18, decimal_places=2)


class KpiHourPointSerializer(serializers.Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23)
    orders = serializers.IntegerField()
    gmv = serializers.DecimalField(max_digits=18, decimal_places=2)


class KpiChannelPointSerializer(serializers.Serializer):
    channel = serializers.CharField()
    name = KpiBilingualSerializer()
    orders = serializers.IntegerField()
    gmv = serializers.DecimalField(max_digits=18, decimal_places=2)


class KpiSeriesSerializer(serializers.Serializer):
    by_day = KpiDayPointSerializer(many=True)
    by_hour = KpiHourPointSerializer(many=True)
    by_channel = KpiChannelPointSerializer(many=True)


class KpiBacklogSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class KpiReportSerializer(serializers.Serializer):
    range = KpiRangeSerializer()
    channel = serializers.CharField(allow_null=True)
    kpis = KpiSerializer(many=True)
    totals = KpiTotalsSerializer()
    series = KpiSeriesSerializer()
    backlog = KpiBacklogSerializer(many=True, help_text="Orders waiting in each open status now.")


class ThresholdSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=definitions.KEYS)
    threshold = serializers.FloatField(allow_null=True)
    comparison = serializers.ChoiceField(choices=definitions.COMPARISONS, allow_null=True)


_UNIT_HELP = {definitions.RATIO: "a fraction 0–1", definitions.MINUTES: "minutes"}


class ThresholdPatchSerializer(serializers.Serializer):
    """``{"<kpi key>": <number or null>}``: the keys to change; null removes a threshold."""

    def get_fields(self):
        return {
            definition.key: serializers.DecimalField(
                max_digits=14,
                decimal_places=4,
                min_value=0,
                max_value=definition.max_threshold,
                required=False,
                allow_null=True,
                help_text=f"{definition.en}: {_UNIT_HELP[definition.unit]}.",
            )
            for definition in definitions.DEFINITIONS
        }

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(definitions.KEYS))
            if unknown:
                raise serializers.ValidationError({key: "not a KPI key" for key in unknown})
        return super().to_internal_value(data)
