from django.apps import AppConfig


class TimeoutsConfig(AppConfig):
    """``TimeoutRule`` (status, minutes, channel, product category) and the ``OrderTimeout`` marks."""

    name = "commerce.timeouts"
    label = "timeouts"
    default_auto_field = "django.db.models.BigAutoField"
