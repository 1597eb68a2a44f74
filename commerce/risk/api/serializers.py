"""Input of the risk API, and the documented shape of its answers."""

from rest_framework import serializers

from commerce.risk.models import BlacklistEntry, RiskHit


class RiskApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RiskRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    blacklist = serializers.ListField(
        child=serializers.ChoiceField(choices=[k for k, _ in BlacklistEntry.KINDS]),
        required=False,
        default=list,
        max_length=4,
        help_text="Also put the order's phone, address, account and/or IP on the blacklist.",
    )


class RiskOrderBlacklistSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[k for k, _ in BlacklistEntry.KINDS]), min_length=1, max_length=4
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_kinds(self, kinds):
        if len(set(kinds)) != len(kinds):
            raise serializers.ValidationError("each kind once")
        return kinds


class RiskBlacklistEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=[k for k, _ in BlacklistEntry.KINDS])
    value = serializers.CharField(max_length=300)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    created_by = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class RiskRuleInSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=48)
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100)
    condition = serializers.JSONField(help_text="A JsonLogic rule over the risk facts; true holds the order.")
    enabled = serializers.BooleanField(default=True)


class RiskRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    condition = serializers.JSONField()
    enabled = serializers.BooleanField()
    hits_total = serializers.IntegerField()
    hits_pending = serializers.IntegerField()
    hits_approved = serializers.IntegerField(help_text="Hits the review approved: false positives.")
    hits_rejected = serializers.IntegerField()
    false_positive_rate = serializers.FloatField(allow_null=True, help_text="approved / decided; null before any.")
    updated_at = serializers.DateTimeField()


class RiskHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField()
    rule_name = serializers.DictField(child=serializers.CharField())
    evidence = serializers.DictField()
    state = serializers.ChoiceField(choices=[s for s, _ in RiskHit.STATES])
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class RiskReviewSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    number = serializers.CharField()
    channel = serializers.CharField()
    channel_name = serializers.CharField()
    status = serializers.CharField()
    total_amount = serializers.CharField()
    customer_name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked unless the caller's role reads phone numbers.")
    address = serializers.CharField()
    client_ip = serializers.CharField(
        allow_null=True, help_text="Masked (203.0.113.*) unless the caller's role reads phone numbers."
    )
    device = serializers.CharField()
    on_hold = serializers.BooleanField()
    hold_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    hits = RiskHitSerializer(many=True)


class RiskReviewStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[s for s, _ in RiskHit.STATES], required=False, default=RiskHit.PENDING)
