from django.urls import path

from . import views

urlpatterns = [
    path("templates/", views.TemplateListApi.as_view(), name="template-list"),
    path("templates/installations/", views.InstallationListApi.as_view(), name="installation-list"),
    path("templates/installations/<int:flow_id>/", views.InstallationDetailApi.as_view(), name="installation-detail"),
    path(
        "templates/installations/<int:flow_id>/update/",
        views.InstallationUpdateApi.as_view(),
        name="installation-update",
    ),
    path("templates/export/", views.ExportApi.as_view(), name="flows-export"),
    path("templates/import/", views.ImportApi.as_view(), name="flows-import"),
    path("templates/<slug:slug>/", views.TemplateDetailApi.as_view(), name="template-detail"),
    path("templates/<slug:slug>/preview.svg", views.TemplatePreviewApi.as_view(), name="template-preview"),
    path("templates/<slug:slug>/install/", views.TemplateInstallApi.as_view(), name="template-install"),
]
