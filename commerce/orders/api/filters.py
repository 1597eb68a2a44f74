"""The order list's filters as query parameters: ``GET /api/v1/orders/`` and its CSV export read them.

Saved board views (``insights.boards``) store the same filters and are checked by this serializer.
"""

from rest_framework import serializers

from commerce.orders import statuses

MAX_TAGS = 10

# The orders a board may be sorted by; each ends on ``-id`` so equal values keep a fixed order.
ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-total_amount": ("-total_amount", "-id"),
    "total_amount": ("total_amount", "id"),
    "-status_changed_at": ("-status_changed_at", "-id"),
    "status_changed_at": ("status_changed_at", "id"),
}
DEFAULT_ORDERING = "-created_at"


def _comma_list(value: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.CharField(required=False, help_text="One status, or several separated by commas.")
    channel = serializers.SlugField(required=False, help_text="A channel code.")
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text="An order number, an external id, a customer's full phone number or part of their name.",
    )
    tag = serializers.CharField(required=False, max_length=32)
    tags = serializers.CharField(
        required=False,
        max_length=(32 + 1) * MAX_TAGS,
        help_text=f"Up to {MAX_TAGS} tags separated by commas: orders carrying every one of them.",
    )
    province = serializers.CharField(required=False, max_length=32)
    city = serializers.CharField(required=False, max_length=32)
    on_hold = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: orders longer in their status than it allows (commerce.orders.sla); false: the others.",
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default=DEFAULT_ORDERING)

    def validate_status(self, value):
        wanted = _comma_list(value)
        unknown = [v for v in wanted if v not in statuses.RANK]
        if unknown:
            raise serializers.ValidationError(f"unknown status {', '.join(unknown)}")
        return wanted

    def validate_tags(self, value):
        wanted = _comma_list(value)
        if len(wanted) > MAX_TAGS:
            raise serializers.ValidationError(f"at most {MAX_TAGS} tags")
        if any(len(tag) > 32 for tag in wanted):
            raise serializers.ValidationError("a tag is 1 to 32 characters")
        return wanted
