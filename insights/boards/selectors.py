from django.db.models import QuerySet

from .models import BoardView


def board_views_of(*, owner) -> QuerySet[BoardView]:
    """The user's saved views, by name."""
    return BoardView.objects.filter(owner=owner).order_by("name", "id")


def board_view_of(*, owner, view_id: int) -> BoardView | None:
    """The view if ``owner`` owns it; ``None`` otherwise — another user's view does not exist for them."""
    return BoardView.objects.filter(owner=owner, pk=view_id).first()
