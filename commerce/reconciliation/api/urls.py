from django.urls import path

from . import views

urlpatterns = [
    path("reconciliation/days/", views.ReconciliationRunApi.as_view(), name="reconciliation-days"),
    path("reconciliation/days/<str:day>/", views.ReconciliationDayApi.as_view(), name="reconciliation-day"),
    path(
        "reconciliation/days/<str:day>/export/",
        views.ReconciliationExportApi.as_view(),
        name="reconciliation-export",
    ),
    path("reconciliation/statements/", views.StatementApi.as_view(), name="reconciliation-statements"),
    path(
        "reconciliation/differences/<int:difference_id>/resolve/",
        views.DifferenceResolveApi.as_view(),
        name="reconciliation-difference-resolve",
    ),
]
