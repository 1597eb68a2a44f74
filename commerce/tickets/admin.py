from django.contrib import admin

from .models import Ticket, TicketComment


class TicketCommentInline(admin.TabularInline):
    model = TicketComment
    extra = 0
    can_delete = False
    readonly_fields = ("author", "actor_label", "body", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through services (audited), never by editing rows."""

    list_display = ("id", "title", "queue", "priority", "status", "assignee_role", "assignee", "due_at", "order")
    list_filter = ("queue", "status", "priority", "assignee_role")
    search_fields = ("title", "order__number")
    inlines = [TicketCommentInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
