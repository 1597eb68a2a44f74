from django.urls import path

from . import views

urlpatterns = [
    path("skus/", views.SkuSearchApi.as_view(), name="sku-search"),
]
