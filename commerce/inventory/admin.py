from django.contrib import admin

from .models import ChannelWarehouse, StockItem, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "priority", "active")


@admin.register(ChannelWarehouse)
class ChannelWarehouseAdmin(admin.ModelAdmin):
    list_display = ("channel", "warehouse", "rank")


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    """Read-only: stock changes through the adjust API or ``import_stock`` so the ledger stays whole."""

    list_display = ("sku", "warehouse", "on_hand", "reserved", "safety_stock")
    search_fields = ("sku",)
    list_filter = ("warehouse",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "stock_item", "kind", "quantity", "reason", "actor_label")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
