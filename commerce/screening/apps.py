from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "commerce.screening"
    label = "screening"
    verbose_name = "Smart order audit (自动审单)"

    def ready(self) -> None:
        from commerce.orders.signals import order_released, order_to_warehouse

        from .services import screening_released, screening_transition_gate

        order_to_warehouse.connect(screening_transition_gate, dispatch_uid="screening.transition_gate")
        order_released.connect(screening_released, dispatch_uid="screening.released")
