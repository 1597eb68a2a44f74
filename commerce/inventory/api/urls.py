from django.urls import path

from . import views

urlpatterns = [
    path("inventory/", views.StockListApi.as_view(), name="stock-list"),
    path("inventory/adjust/", views.StockAdjustApi.as_view(), name="stock-adjust"),
    path("inventory/safety-stock/", views.SafetyStockApi.as_view(), name="stock-safety"),
    path("inventory/import/", views.StockImportApi.as_view(), name="stock-import"),
    path("inventory/imports/<int:import_id>/", views.StockImportDetailApi.as_view(), name="stock-import-detail"),
    path("inventory/<int:stock_id>/movements/", views.StockMovementsApi.as_view(), name="stock-movements"),
    path("warehouses/", views.WarehouseListApi.as_view(), name="warehouse-list"),
]
