"""Inbox writes: notify a role, and mark notifications read for one person.

``inbox_notify`` is what the runtime calls for the ``notify.inbox`` flow action; its signature is
part of that contract. Read state is per person and is not audited (it changes nothing in the
domain); a notification itself is audited when it is written.
"""

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.orders.models import Order
from core.accounts.roles import ALL_ROLES
from core.actors import Actor
from core.errors import InvalidInput

from .errors import NotificationNotFound
from .models import BODY_MAX, TITLE_MAX, Notification, NotificationRead
from .selectors import inbox_list

SUBJECT = "notification"
AUDIT_SENT = "sent"


def _notify_errors(*, to_role: str, title: str, body: str, order_id: int | None) -> dict:
    errors = {}
    if to_role not in ALL_ROLES:
        errors["to_role"] = f"unknown role {to_role!r}; one of {', '.join(ALL_ROLES)}"
    if not isinstance(title, str) or not title:
        errors["title"] = "may not be blank"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"at most {TITLE_MAX} characters"
    if not isinstance(body, str):
        errors["body"] = "must be text"
    elif len(body) > BODY_MAX:
        errors["body"] = f"at most {BODY_MAX} characters"
    if order_id is not None:
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            errors["order_id"] = "an order id"
        elif not Order.objects.filter(pk=order_id).exists():
            errors["order_id"] = f"no order has id {order_id}"
    return errors


def inbox_notify(*, to_role: str, title: str, body: str, order_id: int | None, actor: Actor) -> Notification:
    """Puts a notification in the inbox of everyone holding ``to_role``.

    Raises ``InvalidInput`` naming every bad field (nothing is written). Not idempotent by
    itself: each call writes a notification, so a caller that retries dedupes with its own key.

    Flows notify on every run, so inside a caller's transaction it opens no savepoint: its input
    is checked before it writes, and a caller that meets an error from its two inserts rolls its
    whole transaction back — as the flow runner does. A caller that must go on after such an
    error in the same transaction wraps the call in its own ``transaction.atomic()``.
    """
    title = title.strip() if isinstance(title, str) else title
    body = body.strip() if isinstance(body, str) else body
    errors = _notify_errors(to_role=to_role, title=title, body=body, order_id=order_id)
    if errors:
        raise InvalidInput(details=errors)
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            to_role=to_role,
            title=title,
            body=body,
            order_id=order_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            source=actor.source,
        )
        audit_record(
            subject_type=SUBJECT,
            subject_id=notification.pk,
            action=AUDIT_SENT,
            actor=actor,
            changes={"to_role": to_role, "title": title, "order": order_id},
        )
    return notification


def inbox_mark_read(*, notification_id: int, user: User, roles: Collection[str]) -> Notification:
    """Marks one notification read for ``user``. Idempotent: the first ``read_at`` stays.

    ``roles`` are the reader's roles; a notification addressed to none of them raises
    ``NotificationNotFound``, exactly as one that does not exist.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_related("order").filter(pk=notification_id, to_role__in=list(roles)).first()
        )
        if notification is None:
            raise NotificationNotFound(details={"notification_id": notification_id})
        # get_or_create survives a concurrent mark of the same pair: the unique constraint decides.
        NotificationRead.objects.get_or_create(
            notification=notification, user=user, defaults={"read_at": timezone.now()}
        )
    return notification


def inbox_mark_all_read(*, user: User, roles: Collection[str]) -> int:
    """Marks every notification addressed to ``roles`` read for ``user``; returns how many were unread.

    A concurrent mark of the same pair is absorbed by the unique constraint (``ignore_conflicts``).
    """
    with transaction.atomic():
        unread_ids = list(inbox_list(user=user, roles=roles, filters={"unread": True}).values_list("pk", flat=True))
        now = timezone.now()
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification_id=pk, user=user, read_at=now) for pk in unread_ids],
            ignore_conflicts=True,
        )
    return len(unread_ids)
