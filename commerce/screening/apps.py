from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "commerce.screening"
    label = "screening"
    verbose_name = "Smart order audit (自动审单)"
