from django.urls import path

from .views import MonitorTaskRunsApi, MonitorTasksApi

urlpatterns = [
    path("monitor/tasks/", MonitorTasksApi.as_view(), name="monitor-tasks"),
    path("monitor/tasks/<str:job>/runs/", MonitorTaskRunsApi.as_view(), name="monitor-task-runs"),
]
