"""The one JSON shape of a notification in a person's inbox."""

from core.time import iso_utc

from .models import Notification


def notification_representation(notification: Notification, *, read: bool | None = None) -> dict:
    """``read`` defaults to the ``read`` annotation that ``selectors.inbox_list`` adds."""
    return {
        "id": notification.pk,
        "to_role": notification.to_role,
        "title": notification.title,
        "body": notification.body,
        "order": notification.order_id,
        "order_number": notification.order.number if notification.order is not None else None,
        "created_by": {
            "kind": notification.actor_kind,
            "id": notification.actor_id,
            "label": notification.actor_label,
            "source": notification.source,
        },
        "created_at": iso_utc(notification.created_at),
        "read": bool(notification.read) if read is None else read,  # type: ignore[attr-defined]  # inbox_list annotates it
    }
