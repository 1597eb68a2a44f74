from django.apps import AppConfig


class WebConfig(AppConfig):
    """The browser app: serves the built single-page app and the session login it uses."""

    name = "orderflow.web"
    label = "web"
    verbose_name = "Web app"

    def ready(self):
        from orderflow import checks  # noqa: F401 - registers the deployment checks
