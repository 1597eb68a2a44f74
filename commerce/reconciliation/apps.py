from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    """The daily reconciliation of orders, gateway bills, refunds and shipments: each day's snapshot
    (``ReconciliationDay`` with its ``BillLine`` rows) and its ``ReconciliationDifference`` work items."""

    name = "commerce.reconciliation"
    label = "reconciliation"
    default_auto_field = "django.db.models.BigAutoField"
