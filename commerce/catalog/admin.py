from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "price", "weight_grams", "active")
    list_filter = ("active",)
    search_fields = ("sku", "title")
