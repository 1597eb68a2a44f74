from django.urls import include, path

from . import views, waybills

urlpatterns = [
    path("connectors/", views.ConnectorListApi.as_view(), name="connector-list"),
    path("connections/", views.ConnectionListApi.as_view(), name="connection-list"),
    path("connections/<int:connection_id>/", views.ConnectionDetailApi.as_view(), name="connection-detail"),
    path("connections/<int:connection_id>/test/", views.ConnectionTestApi.as_view(), name="connection-test"),
    path("connections/<int:connection_id>/deliveries/", views.DeliveryListApi.as_view(), name="connection-deliveries"),
    path("connections/<int:connection_id>/poll-runs/", views.PollRunListApi.as_view(), name="connection-poll-runs"),
    path("connections/<int:connection_id>/stock/", views.StockPushListApi.as_view(), name="connection-stock"),
    path("connections/<int:connection_id>/poll/", views.ConnectionPollApi.as_view(), name="connection-poll"),
    path(
        "connections/<int:connection_id>/sandbox/orders/",
        views.SandboxOrdersApi.as_view(),
        name="connection-sandbox-orders",
    ),
    path("deliveries/<int:delivery_id>/replay/", views.DeliveryReplayApi.as_view(), name="delivery-replay"),
    path("notifications/", views.NotificationListApi.as_view(), name="notification-list"),
    path("parcels/<int:parcel_id>/waybill/", waybills.ParcelWaybillApi.as_view(), name="parcel-waybill"),
    path(
        "parcels/<int:parcel_id>/waybill/cancel/",
        waybills.ParcelWaybillCancelApi.as_view(),
        name="parcel-waybill-cancel",
    ),
    path("waybills/", waybills.OrdersWaybillsApi.as_view(), name="waybills"),
    path("labels/", waybills.LabelsApi.as_view(), name="labels"),
    path("", include("connectors.imports.api")),
]
