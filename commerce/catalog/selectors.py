from .models import Product


def products_by_sku(skus) -> dict[str, Product]:
    """The active products among ``skus``, keyed by SKU, in one query (read on every order)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    return {p.sku: p for p in Product.objects.filter(sku__in=wanted, active=True)}


def products_active(*, limit: int = 500) -> list[Product]:
    """Active products by SKU, at most ``limit`` (what a sandbox shop offers for sale)."""
    return list(Product.objects.filter(active=True).order_by("sku")[:limit])
