from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "insights.boards"
    label = "insights_boards"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Insights: saved board views"
