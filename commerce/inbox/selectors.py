from collections.abc import Collection

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from .models import Notification, NotificationRead


def inbox_list(
    *, user: AbstractBaseUser, roles: Collection[str], filters: dict | None = None
) -> QuerySet[Notification]:
    """Notifications addressed to any of ``roles``, newest first, each annotated ``read`` for ``user``.

    ``filters`` keys: unread (bool).
    """
    read = NotificationRead.objects.filter(notification=OuterRef("pk"), user_id=user.pk)
    qs = (
        Notification.objects.filter(to_role__in=list(roles))
        .select_related("order")
        .annotate(read=Exists(read))
        .order_by("-created_at", "-id")
    )
    f = filters or {}
    if f.get("unread") is True:
        qs = qs.filter(read=False)
    elif f.get("unread") is False:
        qs = qs.filter(read=True)
    return qs


def inbox_unread_count(*, user: AbstractBaseUser, roles: Collection[str]) -> int:
    return inbox_list(user=user, roles=roles, filters={"unread": True}).count()
