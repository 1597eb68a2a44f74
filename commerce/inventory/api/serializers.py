from rest_framework import serializers

from commerce.inventory.models import StockItem, StockMovement


class StockItemSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")
    available = serializers.IntegerField()
    low_stock = serializers.BooleanField()

    class Meta:
        model = StockItem
        fields = (
            "id",
            "sku",
            "warehouse",
            "on_hand",
            "reserved",
            "available",
            "safety_stock",
            "low_stock",
            "updated_at",
        )


class StockFilterSerializer(serializers.Serializer):
    sku = serializers.CharField(required=False, max_length=64)
    warehouse = serializers.SlugField(required=False, max_length=32)
    low_stock = serializers.BooleanField(required=False, allow_null=True, default=None)


class AdjustSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    warehouse = serializers.SlugField(max_length=32)
    delta = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
    reason = serializers.CharField(max_length=200)


class MovementSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", allow_null=True, default=None)

    class Meta:
        model = StockMovement
        fields = ("id", "kind", "quantity", "reason", "order", "actor_kind", "actor_label", "trace_id", "created_at")


class StockImportSerializer(serializers.Serializer):
    # An empty file reaches the import, which explains what the file should hold.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="CSV, UTF-8, header sku,warehouse,on_hand,safety_stock, at most 50,000 rows; all rows or none.",
    )


class StockImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Stock rows that did not exist before.")
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    movements = serializers.IntegerField(help_text="Adjustment movements written, one per changed on_hand.")
