from django.apps import AppConfig


class RefundsConfig(AppConfig):
    """``RefundRequest`` with its lines and decisions, and the versioned approval policy."""

    name = "commerce.refunds"
    label = "refunds"
    default_auto_field = "django.db.models.BigAutoField"
