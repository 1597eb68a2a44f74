from django.conf import settings
from django.db import models


class Installation(models.Model):
    """A flow installed from a marketplace template: which template, which version, with what answers.

    ``params`` and ``connections`` are what the operator answered in the install wizard (kept by an
    update to a newer version of the template).
    """

    flow = models.OneToOneField("builder.Flow", on_delete=models.CASCADE, related_name="installation")
    template = models.CharField(max_length=64, help_text="The template's slug (its folder in templates/).")
    version = models.PositiveIntegerField(help_text="The template version the flow was installed or updated from.")
    params = models.JSONField(default=dict, blank=True)
    connections = models.JSONField(default=dict, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    installed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-installed_at", "-id")
        indexes = [models.Index(fields=["template"], name="installation_template_idx")]

    def __str__(self) -> str:
        return f"{self.template} v{self.version} → flow {self.flow_id}"
