from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "subject_type", "subject_id", "action", "actor_kind", "actor_label", "source")
    list_filter = ("subject_type", "action", "actor_kind")
    search_fields = ("subject_id", "trace_id", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
