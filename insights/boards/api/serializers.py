from rest_framework import serializers

from commerce.orders import statuses
from commerce.orders.api.filters import DEFAULT_ORDERING, MAX_TAGS, ORDERINGS
from core.time import iso_utc
from insights.boards.models import BoardView

# The board's columns, by key; a view lists the ones it shows, in order.
COLUMNS = (
    "number",
    "external_id",
    "channel",
    "status",
    "customer",
    "phone",
    "total",
    "province",
    "city",
    "tags",
    "on_hold",
    "overdue",
    "placed_at",
    "created_at",
    "status_changed_at",
)


def _unique(values: list) -> None:
    if len(set(values)) != len(values):
        raise serializers.ValidationError("each value once")


class BoardFiltersSerializer(serializers.Serializer):
    """The order list's filters (``GET /api/v1/orders/``), typed; every one optional."""

    status = serializers.ListField(
        child=serializers.ChoiceField(choices=statuses.STATUSES),
        required=False,
        max_length=len(statuses.STATUSES),
        validators=[_unique],
    )
    channel = serializers.SlugField(max_length=32, required=False, allow_blank=True)
    province = serializers.CharField(max_length=32, required=False, allow_blank=True)
    city = serializers.CharField(max_length=32, required=False, allow_blank=True)
    created_after = serializers.DateTimeField(required=False, allow_null=True)
    created_before = serializers.DateTimeField(required=False, allow_null=True)
    created_within_days = serializers.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        allow_null=True,
        help_text="A time range that moves with the day: orders created in the last N days.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=MAX_TAGS, validators=[_unique]
    )
    on_hold = serializers.BooleanField(required=False, allow_null=True)
    overdue = serializers.BooleanField(required=False, allow_null=True)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)


class BoardViewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=60)
    filters = BoardFiltersSerializer(required=False)
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=COLUMNS), required=False, max_length=len(COLUMNS), validators=[_unique]
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default=DEFAULT_ORDERING)
    layout = serializers.ChoiceField(choices=[key for key, _label in BoardView.LAYOUTS], required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("a view needs a name")
        return value

    def to_representation(self, view: BoardView) -> dict:
        return {
            "id": view.pk,
            "name": view.name,
            "filters": view.filters,
            "columns": view.columns,
            "ordering": view.ordering,
            "layout": view.layout,
            "created_at": iso_utc(view.created_at),
            "updated_at": iso_utc(view.updated_at),
        }


def stored_filters(filters: dict) -> dict:
    """The validated filters as JSON to keep: times as ISO text, empty values left out."""
    kept = {}
    for key, value in filters.items():
        if value is None or value == "" or value == []:
            continue
        kept[key] = iso_utc(value) if key in ("created_after", "created_before") else value
    return kept
