from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "insights.kpis"
    label = "insights_kpis"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: KPIs"

    def ready(self) -> None:
        from commerce.outbox.services import outbox_committed

        from .kick import kpi_refresh_kick

        outbox_committed.connect(kpi_refresh_kick, dispatch_uid="insights.kpi_refresh_kick")
