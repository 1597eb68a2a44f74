from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "insights.live"
    label = "insights_live"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: live updates"

    def ready(self) -> None:
        from commerce.outbox.services import outbox_committed

        from . import notify

        outbox_committed.connect(notify.outbox_committed, dispatch_uid="insights.live.notify")
