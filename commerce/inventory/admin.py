from django.contrib import admin

from .models import ChannelWarehouse, StockImport, StockItem, StockMovement, Warehouse


class _ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services write, so the ledger and the audit trail stay whole."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "priority", "active")


@admin.register(ChannelWarehouse)
class ChannelWarehouseAdmin(admin.ModelAdmin):
    list_display = ("channel", "warehouse", "rank")


@admin.register(StockItem)
class StockItemAdmin(_ReadOnlyAdmin):
    """Stock changes through the adjust and safety-stock APIs or ``import_stock``."""

    list_display = ("sku", "warehouse", "on_hand", "reserved", "safety_stock")
    search_fields = ("sku",)
    list_filter = ("warehouse",)


@admin.register(StockMovement)
class StockMovementAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "stock_item", "kind", "quantity", "reason", "actor_label")
    list_filter = ("kind",)


@admin.register(StockImport)
class StockImportAdmin(_ReadOnlyAdmin):
    """Imports are made by the upload API and run by their task."""

    list_display = ("id", "filename", "status", "row_count", "actor_label", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("filename", "content_hash")
    exclude = ("content",)
