from rest_framework import serializers

from commerce.catalog.models import Product
from commerce.inventory.imports import MAX_ROWS, SYNC_MAX_ROWS, stock_import_failure_message
from commerce.inventory.models import StockImport, StockItem, StockMovement
from commerce.inventory.safety import MAX_SAFETY_STOCK, REASON_MAX_LENGTH
from commerce.inventory.services import ADJUST_KINDS


class StockItemSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")
    warehouse_name = serializers.CharField(source="warehouse.name")
    title = serializers.SerializerMethodField(help_text="The product's title; null for a SKU the catalog lacks.")
    available = serializers.IntegerField()
    low_stock = serializers.BooleanField()

    class Meta:
        model = StockItem
        fields = (
            "id",
            "sku",
            "title",
            "warehouse",
            "warehouse_name",
            "on_hand",
            "reserved",
            "available",
            "safety_stock",
            "low_stock",
            "updated_at",
        )

    def get_title(self, row: StockItem) -> str | None:
        if hasattr(row, "product_title"):  # annotated by selectors.stock_list
            return row.product_title
        return Product.objects.filter(sku=row.sku).values_list("title", flat=True).first()


class StockFilterSerializer(serializers.Serializer):
    sku = serializers.CharField(required=False, max_length=64)
    q = serializers.CharField(required=False, max_length=64, help_text="SKU or product title holding this text.")
    warehouse = serializers.SlugField(required=False, max_length=32)
    low_stock = serializers.BooleanField(required=False, allow_null=True, default=None)


class AdjustSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    warehouse = serializers.SlugField(max_length=32)
    delta = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
    kind = serializers.ChoiceField(
        choices=ADJUST_KINDS,
        default=StockMovement.ADJUSTMENT,
        help_text="The ledger kind: receipt (goods received, delta positive) or adjustment (a count, a write-off).",
    )
    reason = serializers.CharField(max_length=200)


class MovementSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", allow_null=True, default=None)
    order_id = serializers.IntegerField(allow_null=True, help_text="The order's id, for a link to it.")

    class Meta:
        model = StockMovement
        fields = (
            "id",
            "kind",
            "quantity",
            "reason",
            "order",
            "order_id",
            "actor_kind",
            "actor_label",
            "trace_id",
            "created_at",
        )


class StockImportSerializer(serializers.Serializer):
    # An empty file reaches the import, which explains what the file should hold.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=f"CSV, UTF-8, header sku,warehouse,on_hand,safety_stock, at most {MAX_ROWS:,} rows; all rows or "
        f"none. Up to {SYNC_MAX_ROWS:,} rows are applied at once (200), larger files in the background (202).",
    )


class StockImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Stock rows that did not exist before.")
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    movements = serializers.IntegerField(help_text="Adjustment movements written, one per changed on_hand.")


class SafetyStockSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    warehouse = serializers.SlugField(max_length=32)
    # The service checks the range too, with the same words; here it keeps "12.5" and "x" out.
    safety_stock = serializers.IntegerField(min_value=0, max_value=MAX_SAFETY_STOCK)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class StockImportStatusSerializer(serializers.ModelSerializer):
    rows = serializers.IntegerField(source="row_count", help_text="Data rows in the file.")
    progress = serializers.SerializerMethodField(help_text="0 to 1: rows read and checked so far.")
    created_by = serializers.CharField(source="actor_label")
    counts = serializers.SerializerMethodField(help_text="As the synchronous answer; null until applied.")
    message = serializers.SerializerMethodField(
        help_text="Why a failed import failed, in the reader's language (error_code is the stable key); else empty."
    )

    class Meta:
        model = StockImport
        fields = (
            "id",
            "filename",
            "status",
            "phase",
            "rows",
            "rows_done",
            "progress",
            "counts",
            "error_code",
            "message",
            "errors",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )

    def get_progress(self, job: StockImport) -> float:
        if job.status == StockImport.APPLIED:
            return 1.0
        return round(min(job.rows_done / job.row_count, 1.0), 3) if job.row_count else 0.0

    def get_message(self, job: StockImport) -> str:
        return stock_import_failure_message(job.error_code) if job.status == StockImport.FAILED else ""

    def get_counts(self, job: StockImport) -> dict | None:
        if job.status != StockImport.APPLIED:
            return None
        return {
            "rows": job.row_count,
            "created": job.created,
            "changed": job.changed,
            "unchanged": job.unchanged,
            "movements": job.movements,
        }


class WarehouseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()


class WarehouseListSerializer(serializers.Serializer):
    results = WarehouseSerializer(many=True)
