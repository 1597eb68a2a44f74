from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:order_id>/shipments/", views.OrderShipmentsApi.as_view(), name="order-shipments"),
]
