"""Why a notification is refused before any provider is called."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput


class NotificationTooLong(InvalidInput):
    code = "notification_too_long"
    message = _("The message is longer than the channel accepts: shorten the text or its variables.")


class NotificationRateLimited(DomainError):
    code = "notification_rate_limited"
    http_status = 429
    message = _("Too many messages to this recipient or on this channel: the message was not sent.")


class NotificationConnectionUnusable(InvalidInput):
    code = "notification_connection_unusable"
    message = _("This connection cannot send on this channel: pick an enabled connection of the channel.")
