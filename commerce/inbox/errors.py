from django.utils.translation import gettext_lazy as _

from core.errors import NotFound


class NotificationNotFound(NotFound):
    """Also raised for a notification addressed to roles the reader does not hold: its existence is not revealed."""

    message = _("No notification with this id is addressed to you.")
