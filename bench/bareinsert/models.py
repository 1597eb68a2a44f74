from django.db import models


class BareRow(models.Model):
    """One row per baseline request; exists only in the benchmark database."""

    external_id = models.CharField(max_length=64)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.external_id
