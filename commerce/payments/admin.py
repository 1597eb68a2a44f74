from django.contrib import admin

from .models import Payment, PaymentRefund, PaymentSweep


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments change through services (audited), never by editing rows."""

    list_display = ("out_trade_no", "order", "gateway", "amount", "status", "paid_at", "last_checked_at")
    list_filter = ("gateway", "status")
    search_fields = ("out_trade_no", "gateway_trade_no", "order__number")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PaymentRefund)
class PaymentRefundAdmin(admin.ModelAdmin):
    list_display = ("out_request_no", "payment", "amount", "status", "gateway_refund_id", "created_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PaymentSweep)
class PaymentSweepAdmin(admin.ModelAdmin):
    list_display = ("started_at", "checked", "repaired", "unreachable", "errors", "unconfirmed", "alerted")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
