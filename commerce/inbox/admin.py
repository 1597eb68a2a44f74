from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by ``inbox_notify`` (audited) and never edited."""

    list_display = ("id", "to_role", "title", "order", "actor_label", "created_at")
    list_filter = ("to_role",)
    search_fields = ("title", "order__number")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
