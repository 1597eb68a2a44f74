from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:order_id>/shipments/", views.OrderShipmentsApi.as_view(), name="order-shipments"),
    path("orders/<int:order_id>/parcels/", views.OrderParcelsApi.as_view(), name="order-parcels"),
    path("orders/<int:order_id>/split/", views.OrderSplitApi.as_view(), name="order-split"),
    path("parcels/merge-suggestions/", views.MergeSuggestionsApi.as_view(), name="parcel-merge-suggestions"),
    path("parcels/merge/", views.MergeApi.as_view(), name="parcel-merge"),
    path("parcels/<int:parcel_id>/", views.ParcelApi.as_view(), name="parcel-detail"),
    path("parcels/<int:parcel_id>/unmerge/", views.UnmergeApi.as_view(), name="parcel-unmerge"),
    path("parcels/<int:parcel_id>/ship/", views.ParcelShipApi.as_view(), name="parcel-ship"),
]
