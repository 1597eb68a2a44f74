from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    """The template marketplace: the recipes in ``templates/<slug>/``, their installs, import and export."""

    name = "templates"
    label = "marketplace"
    default_auto_field = "django.db.models.BigAutoField"
