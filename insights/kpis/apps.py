from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "insights.kpis"
    label = "insights_kpis"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: KPIs"
