from django.db import models


class Channel(models.Model):
    """A sales channel orders arrive from: a marketplace shop, the brand's own store, or manual entry."""

    MARKETPLACE = "marketplace"
    OWN_STORE = "own_store"
    MANUAL = "manual"
    KINDS = [(MARKETPLACE, "Marketplace"), (OWN_STORE, "Own store"), (MANUAL, "Manual")]

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=KINDS)
    currency = models.CharField(max_length=3, default="CNY")
    payment_timeout_minutes = models.PositiveIntegerField(default=15)
    allow_split_lines = models.BooleanField(
        default=False, help_text="May one order line be served from more than one warehouse?"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code
