from django.urls import path

from . import views

urlpatterns = [
    path("kpis/", views.KpiReportApi.as_view(), name="kpi-report"),
    path("kpis/thresholds/", views.KpiThresholdsApi.as_view(), name="kpi-thresholds"),
]
