from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "sku", "title", "quantity", "unit_price", "line_total")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders change through services (audited), never by editing rows."""

    list_display = ("number", "channel", "external_id", "status", "total_amount", "province", "on_hold", "created_at")
    list_filter = ("status", "channel", "on_hold")
    search_fields = ("number", "external_id", "customer__phone", "customer__name")
    inlines = [OrderLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
