"""The SKU search: what an operator picks order lines from, with the stock free to sell."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.catalog.selectors import products_search
from commerce.inventory.selectors import stock_of_skus
from core.accounts.roles import EVERYONE

MAX_RESULTS = 50


class SkuSearchFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="Part of a SKU or a product title."
    )
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=MAX_RESULTS)


class SkuStockSerializer(serializers.Serializer):
    warehouse = serializers.CharField()
    warehouse_name = serializers.CharField()
    available = serializers.IntegerField()


class SkuSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    price = serializers.CharField(help_text="The list price, used when an order line gives none.")
    available = serializers.IntegerField(help_text="On hand minus reserved, over the active warehouses.")
    stock = SkuStockSerializer(many=True, help_text="Per active warehouse, in serving order.")


class SkuListSerializer(serializers.Serializer):
    results = SkuSerializer(many=True)


class SkuSearchApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[SkuSearchFilterSerializer],
        responses=SkuListSerializer,
        operation_id="v1_skus_list",
        description=f"Active products whose SKU or title holds `q` (SKUs starting with it first), at most "
        f"`limit` ({MAX_RESULTS} at most), each with the stock available in every active warehouse.",
    )
    def get(self, request):
        filters = SkuSearchFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        products = products_search(q=filters.validated_data["q"], limit=filters.validated_data["limit"])
        stock = stock_of_skus(p.sku for p in products)
        results = []
        for product in products:
            rows = stock.get(product.sku, [])
            results.append(
                {
                    "sku": product.sku,
                    "title": product.title,
                    "price": f"{product.price:.2f}",
                    "available": sum(row.available for row in rows),
                    "stock": [
                        {
                            "warehouse": row.warehouse.code,
                            "warehouse_name": row.warehouse.name,
                            "available": row.available,
                        }
                        for row in rows
                    ],
                }
            )
        return Response({"results": results})
