from commerce.db import objects_where

from .models import Product


def products_by_sku(skus) -> dict[str, Product]:
    """The active products among ``skus``, keyed by SKU, in one query (read on every order)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    placeholders = ", ".join(["%s"] * len(wanted))
    return {p.sku: p for p in objects_where(Product, f"sku IN ({placeholders}) AND active = %s", [*wanted, True])}
