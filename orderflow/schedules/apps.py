from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "orderflow.schedules"
    label = "orderflow_schedules"
