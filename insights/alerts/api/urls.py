from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:alert_id>/resolve/", views.AlertResolveApi.as_view(), name="alert-resolve"),
]
