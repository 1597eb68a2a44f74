from django.db.models import Case, Q, Value, When

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


def products_search(*, q: str = "", limit: int = 20) -> list[Product]:
    """Active products whose SKU or title holds ``q`` (any case), SKUs starting with it first, then by SKU."""
    qs = Product.objects.filter(active=True)
    term = q.strip()
    if term:
        qs = qs.filter(Q(sku__icontains=term) | Q(title__icontains=term)).annotate(
            sku_prefix=Case(When(sku__istartswith=term, then=Value(0)), default=Value(1))
        )
        qs = qs.order_by("sku_prefix", "sku")
    else:
        qs = qs.order_by("sku")
    return list(qs[:limit])
