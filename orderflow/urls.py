from django.contrib import admin
from django.urls import include, path

from core.accounts.api import MeApi, TokenApi, TokenRevokeApi, UserTokenApi
from orderflow.web.views import DocsView, SchemaView

api_v1 = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("auth/me/", MeApi.as_view(), name="auth-me"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("auth/tokens/<int:user_id>/", UserTokenApi.as_view(), name="auth-user-token"),
    path("", include("commerce.orders.api.urls")),
    path("", include("commerce.channels.api.urls")),
    path("", include("commerce.inventory.api.urls")),
    path("", include("commerce.catalog.api.urls")),
    path("", include("commerce.tickets.api.urls")),
    path("", include("commerce.shipments.api.urls")),
    path("", include("commerce.refunds.api.urls")),
    path("", include("commerce.timeouts.api.urls")),
    path("", include("commerce.inbox.api.urls")),
    path("", include("commerce.reconciliation.api.urls")),
    path("", include("commerce.risk.api.urls")),
    path("", include("commerce.screening.api.urls")),
    path("", include("builder.api.urls")),
    path("", include("runtime.api.urls")),
    path("", include("connectors.api.urls")),
    path("", include("insights.kpis.api.urls")),
    path("", include("insights.alerts.api.urls")),
    path("", include("insights.monitor.api.urls")),
    path("", include("insights.boards.api.urls")),
    path("", include("templates.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("hooks/flows/", include("runtime.hooks")),
    path("hooks/", include("connectors.webhooks")),
    path("t/refund/", include("commerce.refunds.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("", include("orderflow.web.urls")),
]

handler400 = "core.api.errors.handler400"
handler403 = "core.api.errors.handler403"
handler404 = "core.api.errors.handler404"
handler500 = "core.api.errors.handler500"
