from django.urls import path

from . import views

urlpatterns = [
    path("executions/", views.ExecutionListApi.as_view(), name="execution-list"),
    path("executions/stats/", views.ExecutionStatsApi.as_view(), name="execution-stats"),
    path("executions/<int:execution_id>/", views.ExecutionDetailApi.as_view(), name="execution-detail"),
    path("executions/<int:execution_id>/replay/", views.ExecutionReplayApi.as_view(), name="execution-replay"),
    path("flows/<int:flow_id>/run/", views.FlowRunApi.as_view(), name="flow-run"),
    path("flows/<int:flow_id>/test-run/", views.FlowTestRunApi.as_view(), name="flow-test-run"),
    path("flows/<int:flow_id>/back-test/", views.FlowBackTestApi.as_view(), name="flow-back-test"),
    path("runtime/kill-switch/", views.KillSwitchApi.as_view(), name="kill-switch"),
]
