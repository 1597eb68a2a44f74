from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    weight_grams = models.PositiveIntegerField(default=0)
    category = models.CharField(
        max_length=32, blank=True, help_text="e.g. fresh, tea; order timeouts may differ by it."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("sku",)
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"
