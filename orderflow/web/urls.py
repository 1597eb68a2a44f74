from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", RedirectView.as_view(url="/app/", permanent=False), name="home"),
    path("api/v1/auth/session/", views.SessionApi.as_view(), name="auth-session"),
    re_path(r"^app/(?P<path>.*)$", views.app_index, name="app"),
]
