from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "insights.alerts"
    label = "insights_alerts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: alerts"
