from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "orderflow.demo"
    label = "demo"
    verbose_name = "Demo data"
