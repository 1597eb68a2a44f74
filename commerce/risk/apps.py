from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "commerce.risk"
    label = "risk"
    verbose_name = "Risk rules and review"

    def ready(self) -> None:
        from commerce.orders.signals import order_placed

        from .services import order_risk_check

        order_placed.connect(order_risk_check, dispatch_uid="risk.order_risk_check")
