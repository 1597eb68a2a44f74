from django.contrib import admin

from .models import Flow, FlowVersion


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    """Read-only: flows change through the API's services (validated, versioned), never by editing rows."""

    list_display = ("name", "owner", "enabled", "current_version", "draft_updated_at", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "description")
    exclude = ("webhook_token",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    list_display = ("flow", "number", "trigger_type", "trigger_event", "published_by", "published_at")
    list_filter = ("trigger_type",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
