from django.apps import AppConfig


class ShipmentsConfig(AppConfig):
    """Parcels of orders and their tracking: ``Shipment`` and its ``TrackingEvent``s."""

    name = "commerce.shipments"
    label = "shipments"
    default_auto_field = "django.db.models.BigAutoField"
