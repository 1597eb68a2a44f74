from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "insights.live"
    label = "insights_live"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: live updates"
