from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commerce.audit"
    label = "audit"
