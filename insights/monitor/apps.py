from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "insights.monitor"
    label = "insights_monitor"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: task monitor"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
