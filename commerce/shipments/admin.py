from django.contrib import admin

from .models import Shipment, TrackingEvent


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    readonly_fields = ("occurred_at", "status", "code", "description", "location", "source", "received_at")
    exclude = ("raw",)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("tracking_no", "courier", "carrier", "order", "status", "last_event_at", "created_at")
    list_filter = ("courier", "status")
    search_fields = ("tracking_no", "order__number")
    raw_id_fields = ("order",)
    inlines = (TrackingEventInline,)
