from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """The catalog of integrations. On start it registers each connector's names in the flow catalog
    and kicks stock sync on every committed domain event (``services.stock``)."""

    name = "connectors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commerce.outbox.services import outbox_committed

        from .couriers.actions import register_courier_actions
        from .notify.actions import register_notify_actions
        from .payments.actions import register_payment_actions
        from .pickers import register_pickers
        from .registry import register_catalog
        from .services.stock import stock_sync_kick
        from .warehouse.actions import register_warehouse_actions

        register_catalog()
        outbox_committed.connect(stock_sync_kick, dispatch_uid="connectors.stock_sync_kick")
        register_payment_actions()
        register_courier_actions()
        register_notify_actions()
        register_warehouse_actions()
        register_pickers()
