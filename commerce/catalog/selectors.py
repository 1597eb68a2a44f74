from .models import Product


def products_by_sku(skus) -> dict[str, Product]:
    """The active products among ``skus``, keyed by SKU, in one query."""
    return {p.sku: p for p in Product.objects.filter(sku__in=set(skus), active=True)}
