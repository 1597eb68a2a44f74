from django.conf import settings
from django.db import models


class BoardView(models.Model):
    """A user's saved view of the order board: its filters, columns, sort and layout.

    Only its owner reads or changes it (``selectors.board_view_of``). ``filters`` is what
    ``serializers.BoardFiltersSerializer`` accepted — the order list's filters, typed.
    """

    TABLE = "table"
    KANBAN = "kanban"
    LAYOUTS = [(TABLE, "Table"), (KANBAN, "Kanban by status")]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_views")
    name = models.CharField(max_length=60)
    filters = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    ordering = models.CharField(max_length=32, default="-created_at")
    layout = models.CharField(max_length=16, choices=LAYOUTS, default=TABLE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="board_view_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name
