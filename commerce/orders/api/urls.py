from django.urls import path

from . import detail_views, views

urlpatterns = [
    path("orders/", views.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/export.csv", views.OrderExportApi.as_view(), name="order-export"),
    path("orders/bulk/", views.OrderBulkApi.as_view(), name="order-bulk"),
    path("orders/<int:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:order_id>/transition/", views.OrderTransitionApi.as_view(), name="order-transition"),
    path("orders/<int:order_id>/timeline/", views.OrderTimelineApi.as_view(), name="order-timeline"),
    path("orders/<int:order_id>/tags/", views.OrderTagApi.as_view(), name="order-tag"),
    path("orders/<int:order_id>/tags/remove/", views.OrderUntagApi.as_view(), name="order-untag"),
    path("orders/<int:order_id>/hold/", views.OrderHoldApi.as_view(), name="order-hold"),
    path("orders/<int:order_id>/release/", views.OrderReleaseApi.as_view(), name="order-release"),
    path("orders/<int:order_id>/notes/", views.OrderNoteApi.as_view(), name="order-note"),
    path("orders/<int:order_id>/workspace/", detail_views.OrderWorkspaceApi.as_view(), name="order-workspace"),
]
