from django.db import models


class Customer(models.Model):
    """A buyer. Channels identify buyers by phone; a phone maps to one customer."""

    CREDIT_LEVELS = [(1, "1 (poor)"), (2, "2"), (3, "3 (normal)"), (4, "4"), (5, "5 (excellent)")]

    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=32, unique=True)
    email = models.EmailField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    credit_level = models.PositiveSmallIntegerField(choices=CREDIT_LEVELS, default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"
