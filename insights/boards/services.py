"""Saved board views: create, change, delete — each for its owner only (the API checks ownership)."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput

from .models import BoardView

MAX_VIEWS_PER_USER = 50
FIELDS = ("name", "filters", "columns", "ordering", "layout")


class TooManyViews(Conflict):
    code = "too_many_views"
    message = _("You have as many saved views as one may keep; delete one first.")


def _name_taken(name: str) -> InvalidInput:
    return InvalidInput(details={"name": f"you already have a view named {name!r}"})


def board_view_create(*, owner, data: dict) -> BoardView:
    """A new view for ``owner``; a name the owner uses already is refused, as is a 51st view."""
    with transaction.atomic():
        # Counting and inserting under the owner's row lock: two racing creates cannot both be the 50th.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if BoardView.objects.filter(owner=owner).count() >= MAX_VIEWS_PER_USER:
            raise TooManyViews(details={"limit": MAX_VIEWS_PER_USER})
        if BoardView.objects.filter(owner=owner, name=data["name"]).exists():
            raise _name_taken(data["name"])
        return BoardView.objects.create(owner=owner, **{key: data[key] for key in FIELDS if key in data})


def board_view_update(*, view: BoardView, data: dict) -> BoardView:
    """Changes the fields given; renaming onto another of the owner's views is refused."""
    for key in FIELDS:
        if key in data:
            setattr(view, key, data[key])
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise _name_taken(view.name) from None
    return view


def board_view_delete(*, view: BoardView) -> None:
    view.delete()
