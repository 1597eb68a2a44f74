from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """The catalog of integrations. On start it registers each connector's names in the flow catalog."""

    name = "connectors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .registry import register_catalog

        register_catalog()
