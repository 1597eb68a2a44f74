from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "commerce.outbox"
    label = "outbox"
