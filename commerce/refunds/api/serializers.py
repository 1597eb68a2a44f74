from decimal import Decimal

from rest_framework import serializers

from commerce.refunds import statuses
from commerce.refunds.models import RefundEvidence, ReturnedGoods


class RefundLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


MAX_ID = 2**63 - 1  # a bigint primary key


class RefundCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.ChoiceField(choices=statuses.REASONS)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = serializers.ListField(child=RefundLineSerializer(), required=False, default=list, max_length=100)
    return_needed = serializers.BooleanField(required=False, default=False)


class RefundFilterSerializer(serializers.Serializer):
    status = serializers.CharField(
        required=False, max_length=200, help_text="One status, or several separated by commas."
    )
    order = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    queue = serializers.SlugField(required=False, max_length=32)

    def validate_status(self, value):
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        unknown = [v for v in wanted if v not in statuses.STATUSES]
        if unknown:
            raise serializers.ValidationError(f"unknown status {', '.join(unknown)}")
        return wanted


class RefundSerializer(serializers.Serializer):
    """``commerce.refunds.representation.refund_representation``."""

    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    order_number = serializers.CharField(help_text="The order's number, for people.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    reason = serializers.ChoiceField(choices=statuses.REASONS)
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=statuses.STATUSES)
    method = serializers.ChoiceField(choices=statuses.METHODS)
    queue = serializers.CharField()
    return_needed = serializers.BooleanField()
    return_tracking_no = serializers.CharField()
    approvals_needed = serializers.ListField(
        child=serializers.CharField(), help_text="Roles still to approve, in order."
    )
    policy_version = serializers.IntegerField()
    lines = RefundLineSerializer(many=True)
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    failure = serializers.CharField()
    sla = serializers.ChoiceField(
        choices=["", *statuses.SLA_LEVELS], help_text="The board colour: empty while on time or when the clock stopped."
    )
    ticket_number = serializers.CharField(
        help_text="The request's ticket (TK000042), opened with it in its queue and closed when it ends."
    )


class DecisionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    role = serializers.CharField()
    by = serializers.CharField()
    policy_version = serializers.IntegerField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class ReturnedGoodsSerializer(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    condition = serializers.ChoiceField(choices=ReturnedGoods.CONDITIONS)
    disposition = serializers.ChoiceField(
        choices=[ReturnedGoods.RESTOCKED, ReturnedGoods.QUARANTINE],
        help_text="Sellable goods are restocked; damaged goods are quarantined, never in stock.",
    )
    warehouse = serializers.CharField(help_text="Where sellable goods were restocked; empty when quarantined.")
    tracking_no = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The file's name as uploaded.")
    content_type = serializers.ChoiceField(
        choices=RefundEvidence.TYPES, help_text="What its bytes are (sniffed), not what the client said."
    )
    size = serializers.IntegerField()
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.CharField(help_text="The API path that serves the image to staff.")


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image (by its bytes), at most 5 MB by default.")


class RefundDetailSerializer(RefundSerializer):
    decisions = DecisionSerializer(many=True)
    returns = ReturnedGoodsSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    tracking_url = serializers.URLField(
        help_text="The customer's tracking page: signed, valid for 30 days from this answer; staff send it."
    )


class ReturnLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    condition = serializers.ChoiceField(choices=ReturnedGoods.CONDITIONS)


class ReturnReceivedSerializer(serializers.Serializer):
    lines = serializers.ListField(child=ReturnLineSerializer(), min_length=1, max_length=100)
    tracking_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reference = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default="", help_text="An offline refund's payment reference."
    )


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=100
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BulkApproveResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["approved", "refused"])
    status = serializers.CharField(help_text="The request's status now (empty for an unknown id).")
    code = serializers.CharField(help_text="Why it was refused (an error code), empty when approved.")
    message = serializers.CharField()


class BulkApproveAnswerSerializer(serializers.Serializer):
    results = BulkApproveResultSerializer(many=True)


class FilingLinkRequestSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class FilingLinkSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    url = serializers.URLField(help_text="The customer's filing page: signed, for this order only.")
    expires_at = serializers.DateTimeField()


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PolicySerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    document = serializers.JSONField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    created_by = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SummaryQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text="A calendar day in Asia/Shanghai (YYYY-MM-DD); today when left out."
    )


class RefundSummarySerializer(serializers.Serializer):
    """``commerce.refunds.selectors.refund_summary``."""

    date = serializers.DateField()
    requested = serializers.IntegerField()
    requested_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.IntegerField()
    refunded_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    rejected = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Waiting for a decision at the day's end.")
    average_hours_to_refund = serializers.FloatField(
        allow_null=True, help_text="Of the day's refunds, the mean hours from filing to money back."
    )
