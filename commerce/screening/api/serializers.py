from rest_framework import serializers

from commerce.screening.models import ScreeningCase


class ScreeningPassSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ScreeningRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ScreeningCaseStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[s for s, _ in ScreeningCase.STATES], required=False, default=ScreeningCase.WAITING
    )


class ScreeningCaseSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    number = serializers.CharField()
    channel_name = serializers.CharField()
    status = serializers.CharField()
    total_amount = serializers.CharField()
    customer_name = serializers.CharField()
    state = serializers.CharField()
    automatic = serializers.BooleanField()
    ruleset_version = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.DictField())
    facts = serializers.DictField()
    decided_by = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ScreeningRuleSetInSerializer(serializers.Serializer):
    document = serializers.JSONField(help_text='{"checks": [{"key", "name_zh", "name_en", "condition"}]}')
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ScreeningRuleSetSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    document = serializers.JSONField()
    note = serializers.CharField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
